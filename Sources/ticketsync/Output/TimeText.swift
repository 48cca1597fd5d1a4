import Foundation
import TicketModel

/// Times as the CLI prints them: ISO-8601 UTC for scripts, the local time zone for people.
enum TimeText {
    /// `2025-03-01T14:05:09.123Z`.
    static func iso(millis: UInt64) -> String {
        date(millis).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// `2025-03-01 15:05:09` in the local time zone.
    static func local(millis: UInt64) -> String {
        let parts = Calendar.current.dateComponents(
            in: TimeZone.current, from: date(millis)
        )
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0
        )
    }

    private static func date(_ millis: UInt64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }
}

extension Timestamp {
    /// The clock reading's physical time, ISO-8601 UTC.
    var isoText: String { TimeText.iso(millis: millis) }
    /// The clock reading's physical time, local.
    var localText: String { TimeText.local(millis: millis) }
    /// The packed hybrid-logical-clock value as decimal text (strings keep all 64 bits in JSON).
    var hlcText: String { String(rawValue) }
}
