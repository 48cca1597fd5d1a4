import Foundation
import TicketModel

/// One line of a `gen_trace.py` trace (see ../shared/bench/TRACE_FORMAT.md), parsed.
struct TraceStep: Sendable {
    enum Action: Sendable {
        case create([FieldKey: FieldValue])
        case set(FieldKey, FieldValue)
        case tagAdd(String)
        case tagRemove(String)
        case comment(String)
    }

    var replica: Int
    var seq: Int
    var phase: Int
    var ts: UInt64
    var ticket: TicketID
    var action: Action
}

/// A whole trace: each replica's steps in `seq` order, split by phase.
struct Trace: Sendable {
    /// `replicas[r].0` is phase 0, `.1` phase 1.
    var replicas: [([TraceStep], [TraceStep])]
    var count: Int

    /// The trace's synthetic clock starts here (2026-01-01T00:00:00Z).
    static let epochMillis: UInt64 = 1_767_225_600_000

    struct TraceError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "trace line \(line): \(message)" }
    }

    private struct Line: Decodable {
        var replica: Int
        var seq: Int
        var phase: Int?
        var ts: UInt64
        var op: String
        var ticket: String
        var fields: [String: String]?
        var field: String?
        var value: String?
        var tag: String?
        var body: String?
    }

    static func load(path: String) throws -> Trace {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceError(line: 0, message: "cannot read \(path)")
        }
        let decoder = JSONDecoder()
        var perReplica: [Int: ([TraceStep], [TraceStep])] = [:]
        var count = 0
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            defer { start = end < data.endIndex ? end + 1 : end }
            lineNumber += 1
            if end == start { continue }
            let line: Line
            do {
                line = try decoder.decode(Line.self, from: data[start..<end])
            } catch {
                throw TraceError(line: lineNumber, message: "not a trace operation: \(error)")
            }
            guard let ticket = TicketID(line.ticket) else { throw TraceError(line: lineNumber, message: "bad ticket id") }
            let action: TraceStep.Action
            switch line.op {
            case "create":
                var fields: [FieldKey: FieldValue] = [:]
                for (name, value) in line.fields ?? [:] { fields[try FieldKey(parsing: name)] = .text(value) }
                action = .create(fields)
            case "set":
                action = .set(try FieldKey(parsing: line.field ?? ""), .text(line.value ?? ""))
            case "tag_add": action = .tagAdd(line.tag ?? "")
            case "tag_remove": action = .tagRemove(line.tag ?? "")
            case "comment": action = .comment(line.body ?? "")
            default: throw TraceError(line: lineNumber, message: "unknown op '\(line.op)'")
            }
            let step = TraceStep(
                replica: line.replica, seq: line.seq, phase: line.phase ?? 1, ts: line.ts, ticket: ticket, action: action
            )
            if step.phase == 0 { perReplica[line.replica, default: ([], [])].0.append(step) } else {
                perReplica[line.replica, default: ([], [])].1.append(step)
            }
            count += 1
        }
        let replicaCount = (perReplica.keys.max() ?? -1) + 1
        let replicas = (0..<replicaCount).map { index -> ([TraceStep], [TraceStep]) in
            let (zero, one) = perReplica[index] ?? ([], [])
            return (zero.sorted { $0.seq < $1.seq }, one.sorted { $0.seq < $1.seq })
        }
        return Trace(replicas: replicas, count: count)
    }

    /// The replica id used for trace replica `index` (deterministic, non-zero).
    static func replicaID(_ index: Int) -> ReplicaID {
        ReplicaID(UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15)
    }

    static func author(_ index: Int) -> Author {
        index < authors.count ? authors[index] : .agent("agent-\(index)")
    }

    private static let authors = (0..<256).map { Author.agent("agent-\($0)") }
}

extension TicketReplica {
    /// Applies one trace step as a local edit of this replica.
    @inline(__always)
    mutating func perform(_ step: TraceStep) throws -> TicketOperation {
        let author = Trace.author(step.replica)
        let now = Trace.epochMillis + step.ts
        switch step.action {
        case .create(let fields):
            return try createTicket(step.ticket, fields: fields, by: author, physicalMillis: now)
        case .set(let field, let value):
            return try set(field, to: value, on: step.ticket, by: author, physicalMillis: now)
        case .tagAdd(let tag):
            return try add(tag, to: .tags, on: step.ticket, by: author, physicalMillis: now)
        case .tagRemove(let tag):
            return try remove(tag, from: .tags, on: step.ticket, by: author, physicalMillis: now)
        case .comment(let body):
            return try comment(body, visibility: .public, on: step.ticket, by: author, physicalMillis: now)
        }
    }
}
