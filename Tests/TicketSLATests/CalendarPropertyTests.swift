import Foundation
import Testing
import TicketModel
import TicketSLA
import TicketTestSupport

/// Business-time arithmetic as properties over random calendars (zones with DST, overnight
/// shifts, holidays) and random instants around the 2026 DST changes. A failure names its seed;
/// replay it with `TICKETSYNC_SEED=<seed> swift test --filter CalendarPropertyTests`.
@Suite struct CalendarPropertyTests {
    static let zones = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "UTC"]
    /// Window boundaries away from 01:00-03:00, where DST changes happen in these zones, so the
    /// minute-by-minute oracle below and the calendar agree on what a window covers.
    static let boundaries = [0, 360, 480, 570, 720, 1020, 1080, 1320, 1380, 1440]

    /// A random valid calendar.
    static func randomCalendar(_ generator: inout SeededGenerator) -> BusinessCalendar {
        let zone = zones.randomElement(using: &generator)!
        if Int.random(in: 0..<8, using: &generator) == 0 { return .alwaysOpen }
        while true {
            var windows: [WorkingWindow] = []
            for day in Weekday.allCases where Bool.random(using: &generator) {
                let start = boundaries.dropLast().randomElement(using: &generator)!
                var end = boundaries.dropFirst().randomElement(using: &generator)!
                if end == start { end = 1440 }
                windows.append(WorkingWindow(day: day, startMinute: start, endMinute: end == 1440 && start == 0 ? 1440 : end))
            }
            let holidays = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                LocalDate(dayNumber: LocalDate(year: 2026, month: 1, day: 1)!.dayNumber + Int64.random(in: 0..<365, using: &generator))
            }
            if let calendar = try? BusinessCalendar(name: "random", timeZone: zone, windows: windows, holidays: holidays) {
                return calendar
            }
        }
    }

    /// An instant in 2026, often near a DST change.
    static func randomInstant(_ generator: inout SeededGenerator) -> UInt64 {
        let anchors: [UInt64] = [
            At.local("America/New_York", 2026, 3, 8), At.local("America/New_York", 2026, 11, 1),
            At.local("Europe/Berlin", 2026, 3, 29), At.local("Europe/Berlin", 2026, 10, 25),
            At.local("Australia/Sydney", 2026, 4, 5), At.local("UTC", 2026, 6, 15),
        ]
        let anchor = anchors.randomElement(using: &generator)!
        return anchor - 3 * 86_400_000 + UInt64.random(in: 0..<(6 * 86_400_000), using: &generator)
    }

    @Test(arguments: propertySeeds(count: 3))
    func addAndElapsedAreInverseMonotonicAndAdditive(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for round in 0..<150 {
            let calendar = Self.randomCalendar(&generator)
            let a = Self.randomInstant(&generator)
            let d1 = UInt64.random(in: 0...(40 * At.hour), using: &generator)
            let d2 = UInt64.random(in: 0...(40 * At.hour), using: &generator)
            let context = "seed \(seed) round \(round): \(calendar) a=\(a) d1=\(d1) d2=\(d2)"
            let b = calendar.add(d1, to: a)
            // elapsed(a, add(a, d)) == d
            #expect(calendar.elapsed(from: a, to: b) == d1, "\(context)")
            #expect(b >= a, "\(context)")
            // Monotonic.
            let c = calendar.add(d1 + d2, to: a)
            #expect(c >= b, "\(context)")
            #expect(calendar.elapsed(from: a, to: c) >= calendar.elapsed(from: a, to: b), "\(context)")
            // Additive, both ways.
            #expect(calendar.add(d2, to: b) == c || d1 == 0 || d2 == 0, "\(context)")
            let x = Self.randomInstant(&generator)
            let (p, q, r) = { let s = [a, x, c].sorted(); return (s[0], s[1], s[2]) }()
            #expect(
                calendar.elapsed(from: p, to: r) == calendar.elapsed(from: p, to: q) + calendar.elapsed(from: q, to: r), "\(context)"
            )
            // From inside working time, add undoes elapsed.
            if calendar.isWorking(at: a), calendar.isWorking(at: c), c > a {
                #expect(calendar.add(calendar.elapsed(from: a, to: c), to: a) == c, "\(context)")
            }
            // Business time never exceeds real time.
            #expect(calendar.elapsed(from: p, to: r) <= r - p, "\(context)")
        }
    }

    @Test(arguments: propertySeeds(count: 2))
    func elapsedMatchesAMinuteByMinuteOracle(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for round in 0..<12 {
            let calendar = Self.randomCalendar(&generator)
            let start = Self.randomInstant(&generator) / 60_000 * 60_000
            let minutes = UInt64.random(in: 1...(36 * 60), using: &generator)
            let end = start + minutes * 60_000
            let oracle = Oracle(calendar)
            var expected: UInt64 = 0
            var instant = start
            while instant < end {
                if oracle.isWorking(instant) { expected += 60_000 }
                instant += 60_000
            }
            #expect(
                calendar.elapsed(from: start, to: end) == expected,
                "seed \(seed) round \(round): \(calendar) from \(start) for \(minutes) min"
            )
        }
    }
}

/// Whether an instant is working time, straight from the definition: its wall-clock reading
/// (Foundation's calendar) falls in a window starting that local day or in the overnight tail of
/// one that started the day before, neither on a holiday.
struct Oracle {
    let calendar: BusinessCalendar
    let zone: TimeZone
    let gregorian: Calendar

    init(_ calendar: BusinessCalendar) {
        self.calendar = calendar
        self.zone = TimeZone(identifier: calendar.timeZoneIdentifier)!
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = zone
        self.gregorian = gregorian
    }

    func isWorking(_ instant: UInt64) -> Bool {
        if calendar.isAlwaysOpen { return true }
        let parts = gregorian.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: Date(timeIntervalSince1970: Double(instant) / 1000))
        let today = LocalDate(year: parts.year!, month: parts.month!, day: parts.day!)!
        let yesterday = LocalDate(dayNumber: today.dayNumber - 1)
        let minute = parts.hour! * 60 + parts.minute!
        for window in calendar.windows {
            if window.day == today.weekday, !calendar.holidays.contains(today), minute >= window.startMinute,
                window.isOvernight || minute < window.endMinute
            {
                return true
            }
            if window.isOvernight, window.day == yesterday.weekday, !calendar.holidays.contains(yesterday), minute < window.endMinute {
                return true
            }
        }
        return false
    }
}
