import Foundation
import TicketModel
import TicketSLA

/// Instants for tests: a local wall-clock time in a zone, as Unix milliseconds (via Foundation,
/// independently of the calendar code under test).
enum At {
    static func local(_ zone: String, _ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> UInt64 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
        return UInt64(date.timeIntervalSince1970 * 1000)
    }

    static let hour: UInt64 = 3_600_000
    static let minute: UInt64 = 60_000
}

/// Windows from `mon-fri 08:00-17:00`-like text, for tests.
func windows(_ days: [Weekday], _ text: String) throws -> [WorkingWindow] {
    try days.map { try WorkingWindow(day: $0, parsing: text) }
}

let weekdays: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday]
