import Foundation

// Helpers for `ticketsync-bench sync`: the server process, a byte-counting TCP relay, loopback
// and process counters, and deadlines. Every wait here is bounded in time.

/// A failure of the sync benchmark, with what went wrong.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A value behind a lock, for the counters and samples that several tasks and threads share.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
    var current: Value { withLock { $0 } }
}

/// Monotonic nanoseconds.
@inline(__always) func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Runs `body`, throwing if it has not finished after `seconds`. The body is cancelled then; if it
/// ignores cancellation it is left behind (the benchmark fails and the process ends anyway).
func withDeadline<T: Sendable>(
    _ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let resumed = Locked(false)
    let work = Locked<Task<Void, Never>?>(nil)
    let timer = Locked<Task<Void, Never>?>(nil)
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        func claim() -> Bool { resumed.withLock { done in defer { done = true }; return !done } }
        work.withLock {
            $0 = Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                if claim() {
                    timer.withLock { $0?.cancel() }
                    continuation.resume(with: result)
                }
            }
        }
        timer.withLock {
            $0 = Task {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                if !Task.isCancelled, claim() {
                    work.withLock { $0?.cancel() }
                    continuation.resume(throwing: BenchFailure("\(what) did not finish within \(Int(seconds)) s"))
                }
            }
        }
    }
}

/// Runs a command to completion, bounded by `timeout` seconds; output goes through files so a
/// chatty command never blocks on a full pipe.
func runTool(_ executable: String, _ arguments: [String], timeout: Double) throws -> (status: Int32, stdout: String, stderr: String) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-bench-run-\(UUID().uuidString)")
    let outURL = base.appendingPathExtension("out")
    let errURL = base.appendingPathExtension("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    defer {
        try? outHandle.close()
        try? errHandle.close()
    }
    process.standardOutput = outHandle
    process.standardError = errHandle
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(5_000) }
    if process.isRunning {
        process.terminate()
        let killAt = Date().addingTimeInterval(5)
        while process.isRunning && Date() < killAt { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw BenchFailure("\(executable) \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
    }
    process.waitUntilExit()
    return (
        process.terminationStatus, (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    )
}

/// The whole text of a /proc file (they report size 0, so read to end of file; Foundation's
/// String(contentsOfFile:) stops after the first page there).
func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    // Bounded: /proc/net/tcp with tens of thousands of sockets is a few MB.
    for _ in 0..<4096 {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        if count <= 0 { break }
        data.append(contentsOf: buffer[0..<count])
    }
    return String(decoding: data, as: UTF8.self)
}

/// PIDs of the servers this process started, so a SIGINT or SIGTERM stops them too.
let startedServers = Locked<Set<Int32>>([])
private let signalSources = Locked<[any DispatchSourceSignal]>([])

/// On SIGINT or SIGTERM: stop the servers we started, then exit.
func stopServersOnSignals() {
    for signalNumber in [SIGINT, SIGTERM] {
        signal(signalNumber, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler {
            for pid in startedServers.current { kill(pid, SIGTERM) }
            usleep(500_000)
            for pid in startedServers.current { kill(pid, SIGKILL) }
            exit(128 + signalNumber)
        }
        source.resume()
        signalSources.withLock { $0.append(source) }
    }
}

/// A real `ticketsyncd serve` process on a free loopback port, in its own data directory.
final class BenchServer: @unchecked Sendable {
    let binary: String
    let dataDirectory: String
    let logPath: String
    private(set) var process: Process?
    private(set) var port = 0

    let logLevel: String

    init(binary: String, dataDirectory: String, logLevel: String = "warning") {
        self.binary = binary
        self.logLevel = logLevel
        self.dataDirectory = dataDirectory
        self.logPath = dataDirectory + ".stderr.log"
    }

    /// The URL stations are configured with (`/v1/sync` is added by the station).
    var url: String { "wss://localhost:\(port)" }
    /// The development CA the server made in its data directory.
    var caFile: String { dataDirectory + "/dev-ca.pem" }
    var pid: Int32 { process?.processIdentifier ?? 0 }

    /// Starts `serve --listen 127.0.0.1:0` and waits (at most `timeout` seconds) for the line
    /// that names the port.
    func start(timeout: Double = 60) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--data-dir", dataDirectory, "--listen", "127.0.0.1:0", "--log-level", logLevel]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try process.run()
        self.process = process
        startedServers.withLock { _ = $0.insert(process.processIdentifier) }

        let text = Locked("")
        let arrived = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            // Reads until the server closes stdout (it exits), so it never blocks on a full pipe.
            while true {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
                arrived.signal()
            }
            arrived.signal()
        }
        let deadline = DispatchTime.now() + timeout
        while DispatchTime.now() < deadline {
            let current = text.current
            if let range = current.range(of: #"wss://localhost:[0-9]+/"#, options: .regularExpression),
                let port = Int(current[range].dropFirst("wss://localhost:".count).dropLast())
            {
                self.port = port
                return
            }
            if !process.isRunning { break }
            _ = arrived.wait(timeout: min(deadline, DispatchTime.now() + 0.5))
        }
        stop()
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw BenchFailure("ticketsyncd did not report its address: \(text.current) \(log.prefix(2000))")
    }

    /// SIGTERM, then SIGKILL after 5 s.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let killDeadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < killDeadline { usleep(10_000) }
        }
        startedServers.withLock { _ = $0.remove(process.processIdentifier) }
    }

    /// `ticketsyncd station add NAME --scope ... --data-dir DIR --json` → the secret.
    func addStation(_ name: String, scopes: [String] = ["all"]) throws -> String {
        let result = try runTool(
            binary, ["station", "add", name, "--data-dir", dataDirectory, "--json"] + scopes.flatMap { ["--scope", $0] },
            timeout: 60
        )
        guard result.status == 0,
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let token = object["token"] as? String
        else { throw BenchFailure("ticketsyncd station add \(name) failed (\(result.status)): \(result.stderr)") }
        return token
    }

    /// `ticketsyncd station add NAME --kind integration --scope all` → the API key.
    func addIntegrationKey(_ name: String) throws -> String {
        let result = try runTool(
            binary, ["station", "add", name, "--kind", "integration", "--scope", "all", "--data-dir", dataDirectory, "--json"], timeout: 60
        )
        guard result.status == 0,
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let token = object["token"] as? String
        else { throw BenchFailure("ticketsyncd station add \(name) --kind integration failed (\(result.status)): \(result.stderr)") }
        return token
    }

    /// `ticketsyncd status --data-dir DIR --json`: the digest and the number of operations.
    /// Waits (at most `timeout` seconds) until the server's SLA engine has planned the whole log
    /// (its cursor at the last of the log's dense positions): it lets appends go first, so it
    /// runs up to a second behind a push.
    func waitForSLA(timeout: Double = 30) async throws {
        // `status` reads its counts and the cursor one after the other: two caught-up readings
        // of the same log size in a row count as caught up.
        let deadline = Date().addingTimeInterval(timeout)
        var previous: Int?
        while Date() < deadline {
            let result = try runTool(binary, ["status", "--data-dir", dataDirectory, "--json"], timeout: 600)
            if let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                let operations = (object["operations"] as? NSNumber)?.intValue,
                let cursor = ((object["sla"] as? [String: Any])?["cursor"] as? NSNumber)?.intValue, cursor >= operations
            {
                if previous == operations { return }
                previous = operations
                continue
            }
            previous = nil
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchFailure("the server's SLA engine did not catch up with the log within \(Int(timeout)) s")
    }

    func status() throws -> (digest: String, operations: Int) {
        let result = try runTool(binary, ["status", "--data-dir", dataDirectory, "--json"], timeout: 600)
        guard result.status == 0,
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let digest = object["digest"] as? String
        else { throw BenchFailure("ticketsyncd status failed (\(result.status)): \(result.stderr)") }
        return (digest, (object["operations"] as? NSNumber)?.intValue ?? -1)
    }

    /// The server's resident set size in KiB (VmRSS), or nil if it is not running.
    func rssKiB() -> Int? {
        guard pid > 0, let text = readProcFile("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// CPU seconds (user + system) the server has used so far, from /proc/PID/stat.
    func cpuSeconds() -> Double {
        guard pid > 0, let text = readProcFile("/proc/\(pid)/stat"),
            let close = text.lastIndex(of: ")")
        else { return -1 }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return -1 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Established TCP connections whose local port is the server's (its accepted sessions).
    func establishedConnections() -> Int {
        guard let text = readProcFile("/proc/net/tcp") else { return -1 }
        let portHex = String(format: "%04X", port)
        var count = 0
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3 else { continue }
            if fields[1].hasSuffix(":" + portHex), fields[3] == "01" { count += 1 }
        }
        return count
    }
}

/// CPU seconds (user + system) this process has used so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

/// CPU seconds used by the server and by this process (the stations and the relay) over an interval.
struct CPUMeter {
    let server: BenchServer
    let serverStart: Double
    let selfStart: Double
    init(_ server: BenchServer) {
        self.server = server
        serverStart = server.cpuSeconds()
        selfStart = processCPUSeconds()
    }
    var reading: [String: Double] {
        [
            "server": Measure.rounded(server.cpuSeconds() - serverStart, 2),
            "bench_process": Measure.rounded(processCPUSeconds() - selfStart, 2),
        ]
    }
}

/// Loopback interface counters from /proc/net/dev (`lo`, received side: on loopback every packet
/// is received once, so this is all loopback traffic, both directions, with Ethernet, IP and TCP
/// headers, from every process on the machine).
struct LoopbackCounters {
    var bytes: Int
    var packets: Int

    static func read() -> LoopbackCounters {
        guard let text = readProcFile("/proc/net/dev") else { return .init(bytes: -1, packets: -1) }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "lo" else { continue }
            let fields = parts[1].split(separator: " ", omittingEmptySubsequences: true)
            return .init(bytes: Int(fields[0]) ?? -1, packets: Int(fields[1]) ?? -1)
        }
        return .init(bytes: -1, packets: -1)
    }

    static func - (lhs: LoopbackCounters, rhs: LoopbackCounters) -> LoopbackCounters {
        .init(bytes: lhs.bytes - rhs.bytes, packets: lhs.packets - rhs.packets)
    }
}

/// A TCP relay on 127.0.0.1 in front of the server that counts the bytes it moves each way:
/// the TCP payload (TLS records carrying WebSocket frames after permessage-deflate), which is
/// what the Yjs peer reads from TCP_INFO on its client sockets. One thread per direction per
/// connection; TCP_NODELAY on both legs so it adds no Nagle delay.
final class ByteRelay: @unchecked Sendable {
    struct Counts {
        var up = 0  // station → server
        var down = 0  // server → station
        var connections = 0
        static func - (lhs: Counts, rhs: Counts) -> Counts {
            .init(up: lhs.up - rhs.up, down: lhs.down - rhs.down, connections: lhs.connections - rhs.connections)
        }
    }

    let port: Int
    private let targetPort: Int
    private let listener: Int32
    private let state = Locked((counts: Counts(), open: Set<Int32>(), stopped: false))

    init(targetPort: Int) throws {
        self.targetPort = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("relay: socket() failed: \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4096) == 0 else {
            close(fd)
            throw BenchFailure("relay: cannot listen on 127.0.0.1: \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    var counts: Counts { state.withLock { $0.counts } }

    /// Closes the listener and every relayed connection.
    func stop() {
        let open = state.withLock { s -> Set<Int32> in
            s.stopped = true
            return s.open
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func tune(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // An idle leg ends its thread after 10 minutes, so no relay thread outlives a stuck run.
        var timeout = timeval(tv_sec: 600, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private func acceptLoop() {
        // Bounded: ends when stop() closes the listener, or after a million connections.
        for _ in 0..<1_000_000 {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if state.withLock({ $0.stopped }) { return }
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard server >= 0, connected == 0 else {
                close(client)
                if server >= 0 { close(server) }
                continue
            }
            Self.tune(client)
            Self.tune(server)
            state.withLock {
                $0.open.insert(client)
                $0.open.insert(server)
                $0.counts.connections += 1
            }
            let legsLeft = Locked(2)
            let finish: @Sendable () -> Void = { [self] in
                if legsLeft.withLock({ left in left -= 1; return left }) == 0 {
                    state.withLock {
                        $0.open.remove(client)
                        $0.open.remove(server)
                    }
                    close(client)
                    close(server)
                }
            }
            Thread.detachNewThread { [self] in pump(from: client, to: server, upward: true); finish() }
            Thread.detachNewThread { [self] in pump(from: server, to: client, upward: false); finish() }
        }
    }

    /// Copies until end of stream, an error or an idle timeout; then half-closes the other side.
    private func pump(from source: Int32, to sink: Int32, upward: Bool) {
        let size = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        copying: while true {
            let count = read(source, buffer, size)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            state.withLock {
                if upward { $0.counts.up += count } else { $0.counts.down += count }
            }
            var offset = 0
            while offset < count {
                let written = write(sink, buffer + offset, count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 { break copying }
                offset += written
            }
        }
        shutdown(sink, Int32(SHUT_WR))
    }
}
