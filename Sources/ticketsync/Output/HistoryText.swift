import TicketModel

/// A ticket's history for people: one row per operation (and one per field of a create), with
/// time, station replica, author, the change, and what became of field writes.
struct HistoryText {
    var entries: [HistoryEntry]

    func render() -> String {
        var table = Table(headings: ["TIME", "STATION", "AUTHOR", "CHANGE", "OUTCOME"])
        for entry in entries {
            let op = entry.operation
            let who = [op.timestamp.localText, op.id.replica.description, op.author.description]
            switch op.payload {
            case .create(let fields):
                table.rows.append(who + ["created", ""])
                for field in fields.keys.sorted() {
                    table.rows.append(["", "", "", "  \(field) = \(Self.quoted(fields[field]!))", Self.text(entry.outcomes[field])])
                }
            case .set(let field, let value, _):
                table.rows.append(who + ["set \(field) = \(Self.quoted(value))", Self.text(entry.outcomes[field])])
            default:
                table.rows.append(who + [Self.change(op), ""])
            }
        }
        return "History (\(entries.count) operations)\n" + Table.indented(table.render())
    }

    /// What an operation other than a field write did.
    static func change(_ op: TicketOperation) -> String {
        switch op.payload {
        case .add(let set, let element): return "added \(set == .tags ? "tag" : "watcher") \(element)"
        case .remove(let set, let element, _): return "removed \(set == .tags ? "tag" : "watcher") \(element)"
        case .comment(let body, let visibility): return "\(visibility.name) comment: \(oneLine(body))"
        case .editComment(let comment, let body): return "edited comment \(comment): \(oneLine(body))"
        case .deleteComment(let comment): return "deleted comment \(comment)"
        case .requestEscalation(let reason, let team):
            return "requested escalation\(team.map { " to team \($0)" } ?? ""): \(oneLine(reason))"
        case .escalate(let tier, let kind, let reason, let team):
            return "escalated to tier \(tier) (\(kind))\(team.map { " to team \($0)" } ?? ""): \(oneLine(reason))"
        case .create, .set:
            return op.payload.kindName
        }
    }

    /// `current`, `overwritten`, `lost (concurrent)`, or nothing for non-field operations.
    static func text(_ outcome: HistoryEntry.Outcome?) -> String {
        switch outcome {
        case .current?: return "current"
        case .overwritten?: return "overwritten"
        case .lostConcurrently?: return "lost (concurrent)"
        case .none?, nil: return ""
        }
    }

    static func quoted(_ value: FieldValue) -> String {
        switch value {
        case .text(let text): return "\"\(oneLine(text))\""
        case .integer(let number): return String(number)
        case .null: return "(cleared)"
        }
    }

    /// Text on one line, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int = 60) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
}

extension Table {
    /// Every line of a rendered table, indented by two spaces.
    static func indented(_ rendered: String) -> String {
        rendered.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
