import Foundation

/// Runs a peer benchmark script (../shared/bench/peer_*.py) in the same run and reads its JSON.
struct Peer {
    var python: String
    var script: String

    struct PeerError: Error, CustomStringConvertible {
        var description: String
    }

    func run(arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PeerError(description: "\(script) exited with status \(process.terminationStatus)")
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw PeerError(description: "\(script) did not print a JSON object")
        }
        return object
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A number at a dotted path such as `merge_full_updates_s.A_forward`.
    func number(_ path: String) -> Double? {
        var current: Any? = self
        for part in path.split(separator: ".") { current = (current as? [String: Any])?[String(part)] }
        return (current as? NSNumber)?.doubleValue
    }
}
