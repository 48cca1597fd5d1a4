internal import Foundation
internal import TicketModel
internal import TicketReports
internal import TicketSLA

/// A ticket as the HTTP API returns it (snake_case keys; see `Protocol/openapi.yaml`).
struct APITicket: Encodable, Sendable {
    var id: String
    var title: String
    var status: String
    var priority: String
    var tier: Int
    /// Every field with a value by name (built-in, `custom.*`, and the server's `sla.*`).
    var fields: [String: APIValue]
    var tags: [String]
    var watchers: [String]
    var comments: [APIComment]?
    var createdAt: String?
    var updatedAt: String?
    var operations: Int

    init(_ ticket: Ticket, withComments: Bool) {
        id = ticket.id.description
        title = ticket.title
        status = ticket.status.rawValue
        priority = ticket.priority.rawValue
        tier = ticket.tier
        fields = Dictionary(uniqueKeysWithValues: ticket.fields.map { ($0.key.name, APIValue($0.value)) })
        tags = ticket.tags
        watchers = ticket.watchers
        comments = withComments
            ? ticket.comments.filter { !$0.isDeleted }.map { comment in
                APIComment(
                    id: comment.id.description, author: comment.author.description, visibility: comment.visibility == .public ? "public" : "internal",
                    body: comment.body, createdAt: isoTime(comment.timestamp.millis)
                )
            }
            : nil
        createdAt = ticket.createdStamp.map { isoTime($0.timestamp.millis) }
        updatedAt = ticket.updatedStamp.map { isoTime($0.timestamp.millis) }
        operations = ticket.operationCount
    }
}

/// A field's value: a string, an integer or null.
enum APIValue: Encodable, Sendable {
    case text(String)
    case integer(Int64)
    case null

    init(_ value: FieldValue) {
        switch value {
        case .text(let text): self = .text(text)
        case .integer(let integer): self = .integer(integer)
        case .null: self = .null
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .integer(let integer): try container.encode(integer)
        case .null: try container.encodeNil()
        }
    }
}

/// A comment in API form.
struct APIComment: Encodable, Sendable {
    var id: String
    var author: String
    var visibility: String
    var body: String
    var createdAt: String
}

/// A page of tickets and the cursor of the next one.
struct APITicketPage: Encodable, Sendable {
    var tickets: [APITicket]
    /// Pass as `after` for the next page; absent on the last page.
    var next: String?
}

/// RFC 3339 UTC with milliseconds.
func isoTime(_ millis: UInt64) -> String { UTCTime.rfc3339(millis: millis) }
