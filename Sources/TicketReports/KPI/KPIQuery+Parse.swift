internal import Foundation

extension KPIQuery {
    /// Parses a report bound: an RFC 3339 time (`2026-11-01T08:00:00Z`, fractions allowed) or a
    /// UTC date (`2026-11-01`, its midnight). Nil for anything else.
    public static func parseInstant(_ text: String) -> UInt64? {
        let formatter = ISO8601DateFormatter()
        let attempts: [ISO8601DateFormatter.Options] = [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ]
        for options in attempts {
            formatter.formatOptions = options
            if let date = formatter.date(from: text), date.timeIntervalSince1970 >= 0 {
                return UInt64((date.timeIntervalSince1970 * 1000).rounded())
            }
        }
        return nil
    }

    /// A query from command-line or URL texts: `from` and `to` as ``parseInstant(_:)`` takes them
    /// (default: the 30 days before `now`), a grouping name, and a recurrence window in days.
    /// Throws a message naming the bad value.
    public static func parse(
        from: String?, to: String?, groupBy: String?, recurrenceDays: String?, now: UInt64
    ) throws(KPIQueryError) -> KPIQuery {
        func instant(_ name: String, _ text: String?) throws(KPIQueryError) -> UInt64? {
            guard let text else { return nil }
            guard let value = parseInstant(text) else {
                throw KPIQueryError(parameter: name, message: "'\(name)' must be a date (2026-11-01) or an RFC 3339 time (2026-11-01T08:00:00Z), not '\(text.prefix(40))'")
            }
            return value
        }
        let end = try instant("to", to) ?? now + 1
        let start = try instant("from", from) ?? (end > 30 * 86_400_000 ? end - 30 * 86_400_000 : 0)
        guard start < end else { throw KPIQueryError(parameter: "from", message: "'from' must be before 'to'") }
        var grouping = KPIGrouping.none
        if let groupBy {
            guard let value = KPIGrouping(named: groupBy) else {
                throw KPIQueryError(parameter: "group_by", message: "'group_by' must be one of \(KPIGrouping.all.map(\.rawValue).joined(separator: ", "))")
            }
            grouping = value
        }
        var window = defaultRecurrenceWindowMillis
        if let recurrenceDays {
            guard let days = UInt64(recurrenceDays), (1...365).contains(days) else {
                throw KPIQueryError(parameter: "recurrence_days", message: "'recurrence_days' must be a whole number of days from 1 to 365")
            }
            window = days * 86_400_000
        }
        return KPIQuery(fromMillis: start, toMillis: end, groupBy: grouping, recurrenceWindowMillis: window, nowMillis: now)
    }
}

/// A report parameter that could not be read.
public struct KPIQueryError: Error, Sendable, CustomStringConvertible {
    /// The parameter at fault.
    public var parameter: String
    /// What is wrong and what to give instead.
    public var message: String

    public var description: String { message }
}
