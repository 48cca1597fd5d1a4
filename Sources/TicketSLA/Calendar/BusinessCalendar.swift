/// When business time runs: weekly working hours in an IANA time zone, minus holidays, or
/// around the clock (24x7).
///
/// Business time is real elapsed time during working hours: a working day that has 23 hours
/// because clocks go forward counts 23, one that has 25 counts 25. A window from 08:00 to 17:00
/// covers the instants from the first moment the wall clock reads 08:00 to the first moment it
/// reads 17:00 (see ``ZoneRules`` for the two DST edge cases). Holidays are dates in the
/// calendar's time zone and cancel the windows that start on them.
///
/// Every function takes its instants (Unix milliseconds): nothing here reads a clock.
public struct BusinessCalendar: Hashable, Sendable, CustomStringConvertible {
    /// The name policies refer to the calendar by.
    public let name: String
    /// The IANA time zone, e.g. `America/New_York`.
    public let timeZoneIdentifier: String
    /// The weekly windows, sorted; empty for a 24x7 calendar.
    public let windows: [WorkingWindow]
    /// The holidays, sorted and without repeats.
    public let holidays: [LocalDate]

    let rules: ZoneRules
    let windowsByDay: [[WorkingWindow]]
    let holidaySet: Set<Int64>

    /// Most windows one calendar may have.
    public static let maxWindows = 64
    /// Most holidays one calendar may list.
    public static let maxHolidays = 2000

    /// Creates a calendar with working hours. Throws if the time zone is unknown, a window is
    /// malformed or empty, two windows overlap (overnight shifts included), or there are none.
    public init(
        name: String, timeZone: String, windows: [WorkingWindow], holidays: [LocalDate] = []
    ) throws(SLAConfigurationError) {
        guard let rules = ZoneRules(identifier: timeZone) else {
            throw SLAConfigurationError(
                .badTimeZone,
                "time zone '\(timeZone.prefix(60))' is not an IANA time zone name; write one such as America/New_York, Europe/Berlin or UTC"
            )
        }
        guard !windows.isEmpty else {
            throw SLAConfigurationError(
                .badWindow, "calendar '\(name)' has no working hours; give at least one window, or use 24x7"
            )
        }
        guard windows.count <= Self.maxWindows else {
            throw SLAConfigurationError(.tooLarge, "calendar '\(name)' has \(windows.count) windows; the limit is \(Self.maxWindows)")
        }
        guard holidays.count <= Self.maxHolidays else {
            throw SLAConfigurationError(.tooLarge, "calendar '\(name)' has \(holidays.count) holidays; the limit is \(Self.maxHolidays)")
        }
        for window in windows {
            guard (0..<1440).contains(window.startMinute), (0...1440).contains(window.endMinute),
                window.startMinute != window.endMinute
            else {
                throw SLAConfigurationError(.badWindow, "window '\(window)' is empty or out of range; use HH:MM-HH:MM within 00:00-24:00")
            }
        }
        try Self.checkOverlaps(windows)
        self.init(name: name, rules: rules, windows: windows.sorted(), holidays: holidays)
    }

    /// A calendar that is always open (every instant is business time), in UTC.
    public static let alwaysOpen = BusinessCalendar(name: "24x7", rules: ZoneRules(identifier: "UTC")!, windows: [], holidays: [])

    /// A calendar that is open around the clock except on `holidays` (dates in `timeZone`).
    public static func alwaysOpen(name: String, timeZone: String, holidays: [LocalDate]) throws(SLAConfigurationError)
        -> BusinessCalendar
    {
        if holidays.isEmpty {
            guard let rules = ZoneRules(identifier: timeZone) else {
                throw SLAConfigurationError(
                    .badTimeZone,
                    "time zone '\(timeZone.prefix(60))' is not an IANA time zone name; write one such as America/New_York, Europe/Berlin or UTC"
                )
            }
            return BusinessCalendar(name: name, rules: rules, windows: [], holidays: [])
        }
        let days = Weekday.allCases.map { WorkingWindow(day: $0, startMinute: 0, endMinute: 1440) }
        return try BusinessCalendar(name: name, timeZone: timeZone, windows: days, holidays: holidays)
    }

    private init(name: String, rules: ZoneRules, windows: [WorkingWindow], holidays: [LocalDate]) {
        self.name = name
        self.timeZoneIdentifier = rules.identifier
        self.rules = rules
        self.windows = windows
        let unique = Array(Set(holidays)).sorted()
        self.holidays = unique
        self.holidaySet = Set(unique.map(\.dayNumber))
        var byDay = [[WorkingWindow]](repeating: [], count: 7)
        for window in windows { byDay[window.day.rawValue].append(window) }
        self.windowsByDay = byDay
    }

    /// Whether every instant is business time.
    public var isAlwaysOpen: Bool { windows.isEmpty }

    /// The date, in the calendar's time zone, at `instant`.
    public func localDate(of instant: UInt64) -> LocalDate {
        LocalDate(dayNumber: Self.floorDiv(rules.local(Int64(clamping: instant)), Self.dayMillis))
    }

    /// A one-line summary: `dfw (America/Chicago): mon 08:00-17:00, …; 2 holidays`.
    public var description: String {
        if isAlwaysOpen { return "\(name) (\(timeZoneIdentifier)): 24x7" }
        let hours = windows.map(\.description).joined(separator: ", ")
        return "\(name) (\(timeZoneIdentifier)): \(hours); \(holidays.count) holiday\(holidays.count == 1 ? "" : "s")"
    }

    public static func == (lhs: BusinessCalendar, rhs: BusinessCalendar) -> Bool {
        lhs.name == rhs.name && lhs.timeZoneIdentifier == rhs.timeZoneIdentifier && lhs.windows == rhs.windows
            && lhs.holidays == rhs.holidays
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(timeZoneIdentifier)
        hasher.combine(windows)
        hasher.combine(holidays)
    }

    static let dayMillis: Int64 = 86_400_000
    static let weekMinutes = 7 * 1440

    static func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// Refuses windows that overlap in the week, counting overnight shifts into the next day and
    /// Sunday's into Monday.
    private static func checkOverlaps(_ windows: [WorkingWindow]) throws(SLAConfigurationError) {
        let spans = windows.map { window -> (Int, Int, WorkingWindow) in
            let start = window.day.rawValue * 1440 + window.startMinute
            return (start, start + window.lengthMinutes, window)
        }
        for i in spans.indices {
            for j in spans.indices where j > i {
                for shift in [-weekMinutes, 0, weekMinutes] {
                    let (a0, a1, a) = spans[i]
                    let (b0, b1, b) = spans[j]
                    if a0 < b1 + shift && b0 + shift < a1 {
                        throw SLAConfigurationError(
                            .badWindow,
                            "windows '\(a)' and '\(b)' overlap; working hours must not overlap (overnight shifts run into the next day)"
                        )
                    }
                }
            }
        }
    }
}
