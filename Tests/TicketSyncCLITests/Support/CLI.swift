import Dispatch
import Foundation

/// What one run of `ticketsync` did.
struct CLIResult: CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard output's lines, without the empty one after the last line end.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastEmpty() }

    /// Standard error's lines.
    var errorLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastEmpty() }

    /// Standard output parsed as one JSON value.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }

    /// Standard output parsed as one JSON object.
    func jsonObject() throws -> [String: Any] {
        guard let object = try json() as? [String: Any] else { throw CLI.Failure("not a JSON object: \(stdout.prefix(200))") }
        return object
    }

    var description: String {
        "ticketsync \(arguments.joined(separator: " ")) → exit \(status)\nstdout: \(stdout.prefix(2000))\nstderr: \(stderr.prefix(2000))"
    }
}

/// Runs the real `ticketsync` binary against one station home, with a timeout so no test hangs.
struct CLI {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    let executable: URL
    let home: URL

    init(home: URL) throws {
        self.executable = try TicketSyncBinary.locate()
        self.home = home
    }

    /// Runs `ticketsync --home HOME ARGUMENTS…`, optionally feeding `stdin`.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> CLIResult {
        try runRaw(["--home", home.path] + arguments, stdin: stdin, environment: environment, timeout: timeout)
    }

    /// Runs `ticketsync ARGUMENTS…` exactly as given.
    func runRaw(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], timeout: TimeInterval = 60) throws -> CLIResult {
        // Output goes to files, not pipes: a large export cannot fill a pipe and stall the child.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment["TICKETSYNC_HOME"] = nil
        processEnvironment.merge(environment) { $1 }
        process.environment = processEnvironment
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            _ = finished.wait(timeout: .now() + 5)
            throw Failure("ticketsync \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s")
        }
        return CLIResult(
            arguments: arguments, status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }

    /// Runs a command that must succeed.
    @discardableResult
    func succeed(_ arguments: [String], stdin: String? = nil) throws -> CLIResult {
        let result = try run(arguments, stdin: stdin)
        guard result.status == 0 else { throw Failure("expected success: \(result)") }
        return result
    }
}

extension Array where Element == String {
    fileprivate func dropLastEmpty() -> [String] {
        last == "" ? Array(dropLast()) : self
    }
}
