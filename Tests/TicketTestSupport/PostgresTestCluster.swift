import Foundation

/// A throwaway PostgreSQL cluster for the tests of this process: `initdb` in a temporary
/// directory (as the `postgres` user via `runuser` when the tests run as root, since initdb
/// refuses root), `postgres` on a free loopback port with its socket in that directory, one new
/// database per test (so tests run in parallel). A watchdog stops the cluster and removes the
/// directory once this process has ended, however it ended.
///
/// Where PostgreSQL is missing: with `CI=true` ``shared()`` throws (the tests fail with the
/// reason, never skip silently in CI); otherwise ``isAvailable`` is false and the PostgreSQL
/// cases are left out with a message.
public final class PostgresTestCluster: Sendable {
    /// The loopback port the cluster listens on.
    public let port: Int
    /// The directory holding the cluster (removed when the test process ends).
    public let directory: String
    /// The directory of PostgreSQL's programs.
    public let binDirectory: String
    private let superuser = "postgres"

    /// The problem that keeps PostgreSQL from being used here, if any.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Whether the PostgreSQL tests run here: PostgreSQL is installed, or CI insists.
    public static var isAvailable: Bool {
        if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
        if findBinDirectory() != nil { return true }
        print("PostgreSQL tests skipped: no PostgreSQL found (apt-get install postgresql; with CI=true they fail instead)")
        return false
    }

    /// The cluster of this process, started on first use.
    ///
    /// Starting it (initdb, then waiting for `pg_isready`) blocks for seconds, so it runs on a
    /// thread of its own: blocking the test process's cooperative pool (two threads on a 2-core
    /// machine) would stall every other test's sessions until the server's pings time out.
    public static func shared() async throws -> PostgresTestCluster {
        try await started.value
    }

    private static let started = Task<PostgresTestCluster, any Error> { try await onOwnThread { try PostgresTestCluster() } }

    /// Runs blocking work (processes, waits) on a new thread, off the cooperative pool.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// A URL of a new, empty database on the cluster.
    public func makeDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let arguments = ["-h", "127.0.0.1", "-p", String(port), "-U", superuser, name]
        let createdb = binDirectory + "/createdb"
        try await Self.onOwnThread { try Self.run(createdb, arguments, asPostgres: false) }
        return url(database: name)
    }

    /// The URL of `database` on the cluster.
    public func url(database: String) -> String { "postgres://\(superuser)@127.0.0.1:\(port)/\(database)?sslmode=disable" }

    /// Runs SQL through `psql` (as the superuser) and returns its unaligned output.
    @discardableResult
    public func psql(_ sql: String, database: String) async throws -> String {
        let arguments = ["-h", "127.0.0.1", "-p", String(port), "-U", superuser, "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql]
        let psql = binDirectory + "/psql"
        return try await Self.onOwnThread { try Self.run(psql, arguments, asPostgres: false) }
    }

    private init() throws {
        guard let bin = Self.findBinDirectory() else {
            throw Unavailable(
                description: "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres or pg_config); "
                    + "install it: apt-get install postgresql (.ci/run does)"
            )
        }
        binDirectory = bin
        let root = "/tmp/ticketsync-pg-\(getpid())-\(UUID().uuidString.prefix(8))"
        directory = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let asRoot = getuid() == 0
        if asRoot {
            try Self.run("/bin/chown", ["postgres:postgres", root], asPostgres: false)
        }
        try Self.run(
            bin + "/initdb",
            ["-D", root + "/data", "-U", superuser, "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"],
            asPostgres: asRoot
        )
        var lastError = ""
        var listening: Int?
        for _ in 0..<5 where listening == nil {
            let candidate = try Self.freePort()
            do {
                try Self.startPostgres(bin: bin, directory: root, port: candidate, asRoot: asRoot)
                listening = candidate
            } catch {
                lastError = "\(error)"
            }
        }
        guard let listening else { throw Unavailable(description: "PostgreSQL did not start in \(root): \(lastError)") }
        port = listening
        try Self.startWatchdog(bin: bin, directory: root, asRoot: asRoot)
    }

    /// Starts `postgres` in the background (not through `pg_ctl -w`, whose wait never ended when
    /// started from the test process) and waits, at most 60 s, until `pg_isready` says it accepts
    /// connections; throws with the server's log if it exits first (a port taken meanwhile).
    private static func startPostgres(bin: String, directory: String, port: Int, asRoot: Bool) throws {
        let log = directory + "/postgres-\(port).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        let arguments = [
            "-D", directory + "/data", "-p", String(port), "-k", directory, "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=300", "-c", "fsync=on",
        ]
        if asRoot {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", bin + "/postgres"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: bin + "/postgres")
            process.arguments = arguments
        }
        process.standardInput = FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if !process.isRunning {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw Unavailable(description: "postgres on port \(port) exited: \(text.suffix(2000))")
            }
            if (try? run(bin + "/pg_isready", ["-q", "-h", "127.0.0.1", "-p", String(port)], asPostgres: false)) != nil { return }
            usleep(100_000)
        }
        process.terminate()
        throw Unavailable(description: "postgres on port \(port) was not ready after 60 s; see \(log)")
    }

    /// `/usr/lib/postgresql/<highest version>/bin`, or what `pg_config --bindir` says.
    static func findBinDirectory() -> String? {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).compactMap { Int($0) }.sorted()
        for version in versions.reversed() where FileManager.default.isExecutableFile(atPath: "\(base)/\(version)/bin/postgres") {
            return "\(base)/\(version)/bin"
        }
        if let bin = try? run("/usr/bin/env", ["pg_config", "--bindir"], asPostgres: false).trimmingCharacters(in: .whitespacesAndNewlines),
            FileManager.default.isExecutableFile(atPath: bin + "/postgres")
        {
            return bin
        }
        return nil
    }

    /// A shell that waits for this process to end, then stops the cluster and removes its folder.
    private static func startWatchdog(bin: String, directory: String, asRoot: Bool) throws {
        let stop = (asRoot ? "runuser -u postgres -- " : "") + "'\(bin)/pg_ctl' -D '\(directory)/data' -m fast -w -t 30 stop"
        let script = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            \(stop) >/dev/null 2>&1
            rm -rf '\(directory)'
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        // Not the test's pipes: `swift test` must not wait for the watchdog's end of output.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable(description: "cannot make a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Unavailable(description: "cannot bind a loopback socket to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a program to completion (at most 120 s) and returns its output; throws with its
    /// error output if it fails.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], asPostgres: Bool) throws -> String {
        let process = Process()
        if asPostgres {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-pg-run-\(UUID().uuidString)")
        let out = base.appendingPathExtension("out"), err = base.appendingPathExtension("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        // The current directory must be readable by the postgres user.
        process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            throw Unavailable(description: "\(executable) did not finish in 120 s")
        }
        process.waitUntilExit()
        let output = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            throw Unavailable(
                description: "\(executable) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus)): \(errors)\(output)"
            )
        }
        return output
    }
}
