import Testing
import TicketModel
import TicketSLA

/// Business-time arithmetic on fixed cases: DST days in America/New_York and Europe/Berlin, a
/// Monday holiday, 22:00-06:00 shifts, overlaps refused.
@Suite struct CalendarTests {
    let ny = "America/New_York"
    let berlin = "Europe/Berlin"

    @Test func fullDaysLast23And25HoursOnDSTChanges() throws {
        for (zone, spring, fall) in [
            (ny, (2026, 3, 8), (2026, 11, 1)), (berlin, (2026, 3, 29), (2026, 10, 25)),
        ] {
            let calendar = try BusinessCalendar(name: "all", timeZone: zone, windows: windows(Weekday.allCases, "00:00-24:00"))
            let springStart = At.local(zone, spring.0, spring.1, spring.2)
            let springEnd = At.local(zone, spring.0, spring.1, spring.2 + 1)
            #expect(calendar.elapsed(from: springStart, to: springEnd) == 23 * At.hour, "\(zone) spring")
            let fallStart = At.local(zone, fall.0, fall.1, fall.2)
            let fallEnd = At.local(zone, fall.0, fall.1, fall.2 + 1)
            #expect(calendar.elapsed(from: fallStart, to: fallEnd) == 25 * At.hour, "\(zone) fall")
            // Adding 24 business hours on the short day ends one hour into the next day.
            #expect(calendar.add(24 * At.hour, to: springStart) == springEnd + At.hour, "\(zone) spring add")
            #expect(calendar.add(24 * At.hour, to: fallStart) == fallEnd - At.hour, "\(zone) fall add")
        }
    }

    @Test func windowAcrossTheSkippedAndRepeatedHour() throws {
        // New York: 02:00-03:00 does not exist on 2026-03-08 and 01:00-02:00 happens twice on 2026-11-01.
        let calendar = try BusinessCalendar(name: "early", timeZone: ny, windows: windows([.sunday], "01:00-04:00"))
        let springDay = At.local(ny, 2026, 3, 8)
        #expect(calendar.elapsed(from: springDay, to: springDay + 24 * At.hour) == 2 * At.hour)
        let fallDay = At.local(ny, 2026, 11, 1)
        #expect(calendar.elapsed(from: fallDay, to: fallDay + 26 * At.hour) == 4 * At.hour)
        // A window starting inside the skipped hour starts when the clocks jump (03:00 EDT).
        let skipped = try BusinessCalendar(name: "skip", timeZone: ny, windows: windows([.sunday], "02:30-05:00"))
        #expect(skipped.add(1, to: springDay) == At.local(ny, 2026, 3, 8, 3, 0) + 1)
        #expect(skipped.elapsed(from: springDay, to: springDay + 24 * At.hour) == 2 * At.hour)
    }

    @Test func mondayHolidaySkipsTheWholeDay() throws {
        // Easter Monday 2026-04-06 in Berlin.
        let holiday = LocalDate(year: 2026, month: 4, day: 6)!
        #expect(holiday.weekday == .monday)
        let calendar = try BusinessCalendar(
            name: "office", timeZone: berlin, windows: windows(weekdays, "09:00-17:00"), holidays: [holiday]
        )
        let fridayLate = At.local(berlin, 2026, 4, 3, 16, 30)
        #expect(calendar.add(At.hour, to: fridayLate) == At.local(berlin, 2026, 4, 7, 9, 30))
        #expect(calendar.elapsed(from: fridayLate, to: At.local(berlin, 2026, 4, 7, 9, 30)) == At.hour)
        #expect(!calendar.isWorking(at: At.local(berlin, 2026, 4, 6, 12)))
        #expect(calendar.isWorking(at: At.local(berlin, 2026, 4, 7, 12)))
        #expect(calendar.localDate(of: At.local(berlin, 2026, 4, 6, 0, 30)) == holiday)
    }

    @Test func overnightShiftsRunIntoTheNextDay() throws {
        let calendar = try BusinessCalendar(name: "nights", timeZone: berlin, windows: windows(weekdays, "22:00-06:00"))
        let monday = At.local(berlin, 2026, 6, 1, 21)  // a Monday
        #expect(calendar.elapsed(from: monday, to: At.local(berlin, 2026, 6, 2, 7)) == 8 * At.hour)
        #expect(calendar.add(9 * At.hour, to: At.local(berlin, 2026, 6, 1, 22)) == At.local(berlin, 2026, 6, 2, 23))
        // Friday's shift ends Saturday 06:00; nothing at the weekend; on to Monday night.
        #expect(calendar.add(9 * At.hour, to: At.local(berlin, 2026, 6, 5, 22)) == At.local(berlin, 2026, 6, 8, 23))
        #expect(calendar.isWorking(at: At.local(berlin, 2026, 6, 6, 5, 59)))
        #expect(!calendar.isWorking(at: At.local(berlin, 2026, 6, 6, 6, 0)))
        // The night that spans the spring change (Sat 28 → Sun 29 March 2026) lasts 7 hours.
        let daily = try BusinessCalendar(name: "n", timeZone: berlin, windows: windows(Weekday.allCases, "22:00-06:00"))
        #expect(daily.elapsed(from: At.local(berlin, 2026, 3, 28, 12), to: At.local(berlin, 2026, 3, 29, 12)) == 7 * At.hour)
        // A holiday on the Tuesday does not cut Monday night's shift; it cancels Tuesday night's.
        let withHoliday = try BusinessCalendar(
            name: "h", timeZone: berlin, windows: windows(weekdays, "22:00-06:00"),
            holidays: [LocalDate(year: 2026, month: 6, day: 2)!]
        )
        #expect(withHoliday.elapsed(from: monday, to: At.local(berlin, 2026, 6, 3, 12)) == 8 * At.hour)
    }

    @Test func alwaysOpenCountsRealTime() throws {
        let calendar = BusinessCalendar.alwaysOpen
        #expect(calendar.add(90 * At.minute, to: 1_000) == 1_000 + 90 * At.minute)
        #expect(calendar.elapsed(from: 5_000, to: 1_000) == 0)
        let christmas = try BusinessCalendar.alwaysOpen(name: "x", timeZone: ny, holidays: [LocalDate(year: 2026, month: 12, day: 25)!])
        let eve = At.local(ny, 2026, 12, 24, 23)
        #expect(christmas.add(2 * At.hour, to: eve) == At.local(ny, 2026, 12, 26, 1))
    }

    @Test func badCalendarsAreRefusedWithTheReason() throws {
        #expect(throws: SLAConfigurationError.self) { try BusinessCalendar(name: "x", timeZone: "Mars/Olympus", windows: windows(weekdays, "09:00-17:00")) }
        do {
            _ = try BusinessCalendar(name: "x", timeZone: "Mars/Olympus", windows: windows(weekdays, "09:00-17:00"))
        } catch let error as SLAConfigurationError {
            #expect(error.code == .badTimeZone)
            #expect(error.message.contains("Mars/Olympus"))
        }
        let overlapping = try windows([.monday], "22:00-06:00") + windows([.tuesday], "05:00-09:00")
        #expect {
            try BusinessCalendar(name: "x", timeZone: berlin, windows: overlapping)
        } throws: { ($0 as? SLAConfigurationError)?.code == .badWindow }
        // Sunday night runs into Monday morning: the week wraps.
        let wrapping = try windows([.sunday], "23:00-02:00") + windows([.monday], "01:00-09:00")
        #expect {
            try BusinessCalendar(name: "x", timeZone: berlin, windows: wrapping)
        } throws: { ($0 as? SLAConfigurationError)?.code == .badWindow }
        #expect { try BusinessCalendar(name: "x", timeZone: berlin, windows: []) } throws: {
            ($0 as? SLAConfigurationError)?.code == .badWindow
        }
        #expect { try WorkingWindow(day: .monday, parsing: "09:00-09:00") } throws: {
            ($0 as? SLAConfigurationError)?.message.contains("empty") == true
        }
        #expect { try WorkingWindow(day: .monday, parsing: "9-17") } throws: {
            ($0 as? SLAConfigurationError)?.code == .badWindow
        }
    }

    @Test func localDatesRoundTrip() {
        for day in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            let date = LocalDate(dayNumber: day)
            let (y, m, d) = date.components
            #expect(LocalDate(year: y, month: m, day: d) == date)
        }
        #expect(LocalDate(parsing: "2026-02-29") == nil)
        #expect(LocalDate(parsing: "2028-02-29")?.description == "2028-02-29")
        #expect(LocalDate(year: 1970, month: 1, day: 1)?.weekday == .thursday)
    }
}
