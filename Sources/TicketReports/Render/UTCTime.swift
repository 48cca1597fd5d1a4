/// UTC calendar arithmetic without Foundation's formatters (which build an ICU formatter per
/// use: 13 % of the HTTP API's time in a profile).
public enum UTCTime {
    /// The civil date of `days` since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    public static func civil(days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// RFC 3339 in UTC with milliseconds: `2026-12-01T22:59:26.123Z`.
    public static func rfc3339(millis: UInt64) -> String {
        let seconds = Int64(millis / 1000)
        let date = civil(days: seconds / 86_400)
        let second = seconds % 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = millis % 1000
        let milli = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(date.year)-\(two(Int64(date.month)))-\(two(Int64(date.day)))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)).\(milli)Z"
    }
}
