import Foundation
import Testing

/// Finds a built executable next to the test bundle (`.build/<config>/NAME`).
func builtExecutable(_ name: String) throws -> String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<6 {
        let candidate = directory.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    throw TestFailure("cannot find the built '\(name)' next to \(CommandLine.arguments[0]); run 'swift build' first")
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion (bounded by `timeout` seconds) and returns status and output.
@discardableResult
func run(_ executable: String, _ arguments: [String], timeout: Double = 60) throws -> (status: Int32, stdout: String, stderr: String) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-run-\(UUID().uuidString)")
    let outURL = base.appendingPathExtension("out")
    let errURL = base.appendingPathExtension("err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning {
        process.terminate()
        throw TestFailure("\(executable) \(arguments.joined(separator: " ")) did not finish in \(timeout) s")
    }
    process.waitUntilExit()
    return (
        process.terminationStatus, (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    )
}

/// A real `ticketsyncd serve` process on a free loopback port, in its own data directory.
final class ServerProcess: @unchecked Sendable {
    let binary: String
    let dataDirectory: String
    private(set) var process: Process?
    private(set) var port: Int = 0
    let extraArguments: [String]
    /// A PostgreSQL URL shared with other nodes (nil: SQLite in the data directory).
    let database: String?

    init(dataDirectory: String, extraArguments: [String] = [], database: String? = nil) throws {
        binary = try builtExecutable("ticketsyncd")
        self.dataDirectory = dataDirectory
        self.extraArguments = extraArguments
        self.database = database
    }

    /// Where the commands find the store.
    var storeArguments: [String] { ["--data-dir", dataDirectory] + (database.map { ["--database", $0] } ?? []) }

    var url: String { "wss://localhost:\(port)" }
    var caFile: String { dataDirectory + "/dev-ca.pem" }

    /// Starts the server (on the previous port after a restart) and waits until it listens. The
    /// wait (a blocking read of the server's output, seconds on a loaded machine) runs on a
    /// thread of its own: blocking one of the test process's two cooperative threads starves
    /// every other test's live sessions meanwhile.
    func start() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                do {
                    try self.startAndWait()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    private func startAndWait() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve"] + storeArguments + ["--listen", "127.0.0.1:\(port)", "--log-level", "warning"] + extraArguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        var buffer = Data()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let range = text.range(of: #"wss://localhost:(\d+)/"#, options: .regularExpression) {
                let match = text[range]
                port = Int(match.split(separator: ":").last!.dropLast())!
                // Keep draining stdout so the server never blocks on a full pipe.
                DispatchQueue.global().async { _ = out.fileHandleForReading.readDataToEndOfFile() }
                return
            }
        }
        throw TestFailure("ticketsyncd did not report its address: \(String(decoding: buffer, as: UTF8.self))")
    }

    /// SIGKILL, no shutdown.
    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGSTOP: the process stalls, holding whatever it held (connections, claims, a transaction).
    func pause() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGSTOP)
    }

    /// SIGCONT after ``pause()``.
    func resume() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGCONT)
    }

    /// SIGTERM and wait.
    func stop() {
        guard let process, process.isRunning else { return }
        resume()
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill() }
    }

    /// `ticketsyncd station add NAME --scope …` → the secret.
    func addStation(_ name: String, scopes: [String] = ["all"], kind: String = "station") throws -> String {
        let result = try run(binary, ["station", "add", name, "--json", "--kind", kind] + storeArguments + scopes.flatMap { ["--scope", $0] })
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let token = object["token"] as? String
        else { throw TestFailure("station add failed: \(result.stderr)") }
        return token
    }

    /// `ticketsyncd status --json` → the digest.
    /// The digest, and whether the SLA engine has planned every log entry (its cursor is at the
    /// log's end, so it has nothing left to write until something new arrives or a timer falls due).
    /// The store's digest, and whether the SLA engine had planned the whole log. `status` reads
    /// its counts, digest and cursor one after the other, not in one snapshot, so an engine
    /// write can fall between them: two reads that agree are what counts as settled.
    func settledDigest() throws -> (digest: String, slaCaughtUp: Bool) {
        let first = try statusReading()
        let second = try statusReading()
        return (second.digest, first.caughtUp && second.caughtUp && first.digest == second.digest)
    }

    private func statusReading() throws -> (digest: String, caughtUp: Bool) {
        let result = try run(binary, ["status", "--json"] + storeArguments)
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let digest = object["digest"] as? String
        else { throw TestFailure("status failed: \(result.stderr)") }
        let operations = (object["operations"] as? NSNumber)?.int64Value ?? -1
        let cursor = ((object["sla"] as? [String: Any])?["cursor"] as? NSNumber)?.int64Value
        return (digest, cursor == nil || cursor == operations)
    }

    func digest() throws -> String {
        let result = try run(binary, ["status", "--json"] + storeArguments)
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let digest = object["digest"] as? String
        else { throw TestFailure("status failed: \(result.stderr)") }
        return digest
    }

    /// TCP connections to the server's port that are established now (from `/proc/net/tcp`;
    /// the server listens on 127.0.0.1).
    func establishedConnections() -> Int {
        guard let handle = FileHandle(forReadingAtPath: "/proc/net/tcp") else { return -1 }
        defer { try? handle.close() }
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        let portHex = String(format: "%04X", port)
        var count = 0
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3 else { continue }
            if fields[1].hasSuffix(":" + portHex), fields[3] == "01" { count += 1 }
        }
        return count
    }

    deinit { stop() }
}
