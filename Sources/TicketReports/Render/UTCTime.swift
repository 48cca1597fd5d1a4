public import TicketSLA

/// UTC times without Foundation's formatters (which build an ICU formatter per use: 13 % of the
/// HTTP API's time in a profile). The calendar arithmetic is `TicketSLA`'s ``LocalDate``.
public enum UTCTime {
    /// The UTC date of an instant (milliseconds since the Unix epoch).
    public static func date(millis: UInt64) -> LocalDate { LocalDate(dayNumber: Int64(millis / 86_400_000)) }

    /// RFC 3339 in UTC with milliseconds: `2026-12-01T22:59:26.123Z`.
    public static func rfc3339(millis: UInt64) -> String {
        let second = Int64(millis / 1000 % 86_400)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = millis % 1000
        let milli = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(date(millis: millis))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)).\(milli)Z"
    }
}
