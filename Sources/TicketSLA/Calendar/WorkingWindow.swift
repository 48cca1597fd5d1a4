/// A day of the week, Monday first (ISO 8601).
public enum Weekday: Int, CaseIterable, Hashable, Sendable, Comparable, CustomStringConvertible {
    case monday = 0, tuesday, wednesday, thursday, friday, saturday, sunday

    /// The three-letter lower-case name used in policy files: `mon` … `sun`.
    public var shortName: String { ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][rawValue] }

    /// The day for a three-letter name, or nil.
    public init?(shortName: some StringProtocol) {
        guard let index = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].firstIndex(of: String(shortName)) else {
            return nil
        }
        self.init(rawValue: index)
    }

    public var description: String { shortName }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A weekly working-hours window: on `day`, from `start` to `end` local time (minutes after
/// midnight). An `end` at or before `start` is an overnight shift that ends on the next day
/// (`22:00-06:00`); `end` may be 1440 (`24:00`).
///
/// The window belongs to the day it starts on: a holiday on that day cancels the whole shift,
/// a holiday on the next day does not cut an overnight shift short.
public struct WorkingWindow: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The day the window starts on.
    public var day: Weekday
    /// Minutes after local midnight at which work starts, 0 ..< 1440.
    public var startMinute: Int
    /// Minutes after local midnight at which work ends, 0 ... 1440; at or before ``startMinute``
    /// means the next day.
    public var endMinute: Int

    /// Creates a window; ``BusinessCalendar/init(name:timeZone:windows:holidays:)`` checks it.
    public init(day: Weekday, startMinute: Int, endMinute: Int) {
        self.day = day
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// Whether the window ends on the day after it starts.
    public var isOvernight: Bool { endMinute <= startMinute }

    /// The window's length in minutes.
    public var lengthMinutes: Int { isOvernight ? endMinute + 1440 - startMinute : endMinute - startMinute }

    /// `mon 22:00-06:00`.
    public var description: String { "\(day.shortName) \(Self.clock(startMinute))-\(Self.clock(endMinute))" }

    /// `HH:MM` for minutes after midnight.
    static func clock(_ minutes: Int) -> String {
        let hours = minutes / 60
        let rest = minutes % 60
        return (hours < 10 ? "0" : "") + String(hours) + ":" + (rest < 10 ? "0" : "") + String(rest)
    }

    /// Parses `HH:MM-HH:MM` (24-hour clock; the end may be `24:00`) for `day`.
    public init(day: Weekday, parsing text: some StringProtocol) throws(SLAConfigurationError) {
        let parts = String(text).split(separator: "-", omittingEmptySubsequences: false)
        func minutes(_ part: Substring, allow24: Bool) -> Int? {
            let pieces = part.trimmingSpaces.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2, pieces[0].count == 2, pieces[1].count == 2,
                let hours = Int(pieces[0]), let mins = Int(pieces[1]), (0...59).contains(mins)
            else { return nil }
            if hours == 24 && mins == 0 && allow24 { return 1440 }
            guard (0...23).contains(hours) else { return nil }
            return hours * 60 + mins
        }
        guard parts.count == 2, let start = minutes(parts[0], allow24: false), let end = minutes(parts[1], allow24: true)
        else {
            throw SLAConfigurationError(
                .badWindow, "working hours '\(text.prefix(40))' are not HH:MM-HH:MM (24-hour clock, e.g. 08:00-17:30 or 22:00-06:00)"
            )
        }
        if start == end {
            throw SLAConfigurationError(
                .badWindow, "working hours '\(text.prefix(40))' are empty; for round-the-clock work write 00:00-24:00 or use 24x7"
            )
        }
        self.init(day: day, startMinute: start, endMinute: end)
    }

    public static func < (lhs: WorkingWindow, rhs: WorkingWindow) -> Bool {
        (lhs.day, lhs.startMinute, lhs.endMinute) < (rhs.day, rhs.startMinute, rhs.endMinute)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
