import TicketModel
import TicketSyncClient

/// `show` for people: the ticket's fields, description, comments, escalations and history.
struct TicketText {
    var ticket: Ticket
    var history: [HistoryEntry]
    var sla: TicketSLAStatus? = nil

    func render() -> String {
        var sections = [header, fieldTable]
        if let sla { sections.append(SLAText(status: sla).render()) }
        if let description = ticket.fields[.description]?.text, !description.isEmpty {
            sections.append("Description\n" + Self.indent(description))
        }
        sections.append(comments)
        if !ticket.escalations.isEmpty { sections.append(escalations) }
        sections.append(HistoryText(entries: history).render())
        return sections.joined(separator: "\n\n")
    }

    private var header: String {
        "\(ticket.id)\n\(ticket.title)"
    }

    private var fieldTable: String {
        func value(_ field: FieldKey) -> String {
            ticket.fields[field].map { $0.description.isEmpty ? "-" : $0.description } ?? "-"
        }
        var rows: [[String]] = [
            ["status", ticket.status.rawValue], ["priority", ticket.priority.rawValue],
            ["category", value(.category)], ["site", value(.site)], ["order", value(.orderRef)],
            ["requester", value(.requester)], ["assignee", value(.assignee)], ["group", value(.group)],
            ["tier", String(ticket.tier)],
        ]
        if ticket.fields[.rootCause] != nil { rows.append(["root cause", value(.rootCause)]) }
        if ticket.fields[.csat] != nil { rows.append(["csat", value(.csat)]) }
        // With the SLA section shown, the raw sla.* records would only repeat it.
        for field in ticket.fields.keys.sorted() where field.builtinIndex == nil && !(sla != nil && field.isServerOwned) {
            rows.append([field.isServerOwned ? "\(field.name) (server)" : field.name, value(field)])
        }
        rows.append(["tags", ticket.tags.isEmpty ? "-" : ticket.tags.joined(separator: ", ")])
        rows.append(["watchers", ticket.watchers.isEmpty ? "-" : ticket.watchers.joined(separator: ", ")])
        if let created = ticket.createdStamp, let author = ticket.createdBy {
            rows.append(["created", "\(created.timestamp.localText) by \(author)"])
        }
        if let updated = ticket.updatedStamp {
            rows.append(["updated", "\(updated.timestamp.localText) (\(ticket.operationCount) operations)"])
        }
        return Table(headings: ["", ""], rows: rows).render().split(separator: "\n").dropFirst()
            .map { "  " + $0 }.joined(separator: "\n")
    }

    private var comments: String {
        guard !ticket.comments.isEmpty else { return "Comments: none" }
        let blocks = ticket.comments.map { comment in
            var line = "  \(comment.timestamp.localText)  \(comment.author)  \(comment.visibility.name)  [\(comment.id)]"
            if comment.isDeleted { line += "  (deleted)" }
            return line + "\n" + Self.indent(comment.body, by: 4)
        }
        return "Comments (\(ticket.comments.count))\n" + blocks.joined(separator: "\n")
    }

    private var escalations: String {
        let lines = ticket.escalations.map { entry in
            let team = entry.toTeam.map { " → team \($0)" } ?? ""
            let what = entry.isDecision
                ? "escalated to tier \(entry.tier ?? 0) (\(entry.kind?.description ?? "?")) by \(entry.author)"
                : "requested by \(entry.author) (the server decides)"
            return "  \(entry.timestamp.localText)  \(what)\(team): \(HistoryText.oneLine(entry.reason))"
        }
        return "Escalations (\(ticket.escalations.count))\n" + lines.joined(separator: "\n")
    }

    static func indent(_ text: String, by spaces: Int = 2) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
    }
}
