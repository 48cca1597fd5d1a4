import TicketModel

/// Tickets as CSV: fixed columns, then one column per custom field found in any ticket.
struct TicketCSV {
    var tickets: [Ticket]

    static let fixedColumns = [
        "id", "title", "status", "priority", "category", "site", "order_ref", "requester", "assignee", "group",
        "tags", "watchers", "tier", "created_at", "updated_at", "comments", "root_cause", "csat", "description",
    ]

    func render() -> String {
        let customFields = Set(tickets.flatMap { $0.fields.keys.filter(\.isCustom) }).sorted()
        var text = CSV.record(Self.fixedColumns + customFields.map(\.name))
        for ticket in tickets {
            func value(_ field: FieldKey) -> String { ticket.fields[field]?.description ?? "" }
            let fixed = [
                ticket.id.description, ticket.title, ticket.status.rawValue, ticket.priority.rawValue,
                value(.category), value(.site), value(.orderRef), value(.requester), value(.assignee), value(.group),
                ticket.tags.joined(separator: " "), ticket.watchers.joined(separator: " "), String(ticket.tier),
                ticket.createdStamp.map { $0.timestamp.isoText } ?? "", ticket.updatedStamp.map { $0.timestamp.isoText } ?? "",
                String(ticket.comments.count { !$0.isDeleted }), value(.rootCause), value(.csat), value(.description),
            ]
            text += CSV.record(fixed + customFields.map(value))
        }
        return text
    }
}
