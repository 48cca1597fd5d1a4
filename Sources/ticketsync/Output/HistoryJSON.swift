import Foundation
import TicketModel

/// The JSON shape of one history entry: who, when, from which replica, what, and for field
/// writes the outcome (`current`, `overwritten`, `lost_concurrently`, with the winning operation).
extension HistoryEntry {
    var json: JSONObject {
        let op = operation
        var object: JSONObject = [
            "operation": op.id.description,
            "replica": op.id.replica.description,
            "seq": op.id.seq,
            "at": op.timestamp.isoText,
            "hlc": op.timestamp.hlcText,
            "author": op.author.json,
            "kind": op.payload.kindName,
        ]
        switch op.payload {
        case .create(let fields):
            object["fields"] = fields.keys.sorted().map { field in
                var write: JSONObject = ["field": field.name, "value": fields[field]!.json]
                write.merge(Self.json(outcomes[field] ?? .none)) { $1 }
                return write
            }
        case .set(let field, let value, _):
            object["field"] = field.name
            object["value"] = value.json
            object.merge(Self.json(outcomes[field] ?? .none)) { $1 }
        case .add(let set, let element), .remove(let set, let element, _):
            object["set"] = set.description
            object["element"] = element
        case .comment(let body, let visibility):
            object["comment"] = op.id.description
            object["visibility"] = visibility.name
            object["body"] = body
        case .editComment(let comment, let body):
            object["comment"] = comment.description
            object["body"] = body
        case .deleteComment(let comment):
            object["comment"] = comment.description
        case .requestEscalation(let reason, let team):
            object["reason"] = reason
            object["to_team"] = JSONOutput.orNull(team)
        case .escalate(let tier, let kind, let reason, let team):
            object["tier"] = tier
            object["escalation_kind"] = kind.description
            object["reason"] = reason
            object["to_team"] = JSONOutput.orNull(team)
        }
        return object
    }

    /// `outcome` and `outcome_by` (the operation that won, if another did).
    private static func json(_ outcome: Outcome) -> JSONObject {
        switch outcome {
        case .none: return ["outcome": NSNull(), "outcome_by": NSNull()]
        case .current: return ["outcome": "current", "outcome_by": NSNull()]
        case .overwritten(let by): return ["outcome": "overwritten", "outcome_by": by.description]
        case .lostConcurrently(let to): return ["outcome": "lost_concurrently", "outcome_by": to.description]
        }
    }
}
