import Foundation
import TicketModel
import TicketSyncClient

/// Turning option text into model values. A value the model does not know fails with
/// ``ExitStatus/invalid`` and names the values that would work (argument-parser's own parse
/// errors are usage errors, so these options take text and are checked here).
enum ArgumentValues {
    /// Every status, as typed on the command line.
    static let statuses = TicketStatus.allCases.map(\.rawValue)
    /// Every priority, as typed on the command line.
    static let priorities = TicketPriority.allCases.map(\.rawValue)
    /// Every list order, as typed on the command line.
    static let orders = TicketQuery.Order.allCases.map(\.rawValue)

    /// The status named by `text` (`on-hold` and `On_Hold` are read as `on_hold`).
    static func status(_ text: String) throws(CLIError) -> TicketStatus {
        guard let status = TicketStatus(rawValue: normalized(text)) else {
            throw .invalid("unknown status '\(text.prefix(40))'; use one of: \(statuses.joined(separator: ", "))")
        }
        return status
    }

    /// The priority named by `text`.
    static func priority(_ text: String) throws(CLIError) -> TicketPriority {
        guard let priority = TicketPriority(rawValue: normalized(text)) else {
            throw .invalid("unknown priority '\(text.prefix(40))'; use one of: \(priorities.joined(separator: ", "))")
        }
        return priority
    }

    /// The list order named by `text`.
    static func order(_ text: String) throws(CLIError) -> TicketQuery.Order {
        guard let order = TicketQuery.Order(rawValue: normalized(text)) else {
            throw .invalid("unknown sort order '\(text.prefix(40))'; use one of: \(orders.joined(separator: ", "))")
        }
        return order
    }

    /// `NAME=VALUE` from `--field`: any field name the model knows (`custom.NAME` for operator
    /// fields). An empty value clears the field; `csat` takes a whole number; the rest is text.
    static func fieldAssignment(_ text: String) throws(CLIError) -> (FieldKey, FieldValue) {
        guard let equals = text.firstIndex(of: "=") else {
            throw .invalid("'--field \(text.prefix(80))' needs the form NAME=VALUE, e.g. custom.carrier=ups")
        }
        let field: FieldKey
        do {
            field = try FieldKey(parsing: text[..<equals])
        } catch {
            throw CLIError(error)
        }
        let value = String(text[text.index(after: equals)...])
        if value.isEmpty { return (field, .null) }
        if field == .csat {
            guard let score = Int64(value) else { throw .invalid("csat takes a whole number from 1 to 5, not '\(value.prefix(20))'") }
            return (field, .integer(score))
        }
        return (field, .text(value))
    }

    /// An optional text field from its option: nil when not given, null (clear) when empty.
    static func text(_ option: String?) -> FieldValue? {
        option.map { $0.isEmpty ? .null : .text($0) }
    }

    /// Accepts `on-hold` and `On_Hold` for `on_hold`.
    private static func normalized(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "-", with: "_")
    }
}
