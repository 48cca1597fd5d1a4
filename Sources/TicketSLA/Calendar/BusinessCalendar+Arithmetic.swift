/// Business-time arithmetic: adding a business duration to an instant, and measuring the
/// business time between two instants. Exact to the millisecond across DST changes, holidays and
/// overnight shifts; both walk the calendar's working intervals day by day.
extension BusinessCalendar {
    /// The earliest instant at which `businessMillis` of business time have passed since
    /// `instant`. Adding zero returns `instant`. For any `d`, `elapsed(from: a, to: add(d, to: a)) == d`.
    ///
    /// Returns `UInt64.max` only if no working time follows at all, which a calendar built by
    /// ``init(name:timeZone:windows:holidays:)`` rules out.
    public func add(_ businessMillis: UInt64, to instant: UInt64) -> UInt64 {
        if businessMillis == 0 { return instant }
        if isAlwaysOpen {
            let (sum, overflow) = instant.addingReportingOverflow(businessMillis)
            return overflow ? .max : sum
        }
        let from = Int64(clamping: instant)
        var remaining = Int64(clamping: businessMillis)
        var day = Self.floorDiv(rules.local(from), Self.dayMillis) - 1
        // Past the last holiday every week has working time: a bounded walk.
        let lastHoliday = holidays.last?.dayNumber ?? day
        let weekly = max(1, Int64(windows.reduce(0) { $0 + $1.lengthMinutes }) * 60_000)
        let weeks = Int64(clamping: businessMillis) / weekly + 3
        let limit = max(day, lastHoliday) + weeks * 7
        while day <= limit {
            for (start, end) in intervals(onDay: day) where end > from {
                let begin = max(start, from)
                let length = end - begin
                if remaining <= length { return UInt64(begin + remaining) }
                remaining -= length
            }
            day += 1
        }
        return .max
    }

    /// The business time between two instants: zero if `end` is not after `start`.
    public func elapsed(from start: UInt64, to end: UInt64) -> UInt64 {
        guard end > start else { return 0 }
        if isAlwaysOpen { return end - start }
        let from = Int64(clamping: start)
        let to = Int64(clamping: end)
        var total: Int64 = 0
        var day = Self.floorDiv(rules.local(from), Self.dayMillis) - 1
        let lastDay = Self.floorDiv(rules.local(to), Self.dayMillis)
        while day <= lastDay {
            for (intervalStart, intervalEnd) in intervals(onDay: day) {
                let begin = max(intervalStart, from)
                let finish = min(intervalEnd, to)
                if finish > begin { total += finish - begin }
            }
            day += 1
        }
        return UInt64(total)
    }

    /// Whether `instant` is inside working hours.
    public func isWorking(at instant: UInt64) -> Bool {
        if isAlwaysOpen { return true }
        return elapsed(from: instant, to: instant + 1) == 1
    }

    /// The working intervals `[start, end)` (instants) of the windows that start on local day
    /// `day` (days since 1970-01-01 in the calendar's zone), in order; none on a holiday.
    func intervals(onDay day: Int64) -> [(Int64, Int64)] {
        guard !holidaySet.contains(day) else { return [] }
        let weekday = LocalDate(dayNumber: day).weekday
        let midnight = day * Self.dayMillis
        return windowsByDay[weekday.rawValue].compactMap { window in
            let start = rules.instant(local: midnight + Int64(window.startMinute) * 60_000)
            let endDay = window.isOvernight ? midnight + Self.dayMillis : midnight
            let end = rules.instant(local: endDay + Int64(window.endMinute) * 60_000)
            return end > start ? (start, end) : nil
        }
    }
}
