internal import Foundation

/// The offset rules of one IANA time zone, from the machine's tzdata through Foundation: pure
/// computation, no clock is read.
///
/// Local times are "local milliseconds": the wall-clock reading written as if it were UTC
/// (`instant + offset`). The conversion back picks, for a local time that happens twice when
/// clocks go back, the first occurrence, and for a local time skipped when clocks go forward,
/// the moment of the jump: so a window's start and end are the earliest instants at which the
/// wall clock reads at least that time.
final class ZoneRules: Sendable {
    let identifier: String
    private let zone: TimeZone

    init?(identifier: String) {
        // Foundation also accepts abbreviations and GMT offsets; an IANA name contains a slash
        // (or is UTC/GMT itself), and round-trips through the zone's own identifier.
        guard let zone = TimeZone(identifier: identifier), TimeZone.knownTimeZoneIdentifiers.contains(identifier)
            || identifier == "UTC" || identifier == "GMT"
        else { return nil }
        self.identifier = identifier
        self.zone = zone
    }

    /// The zone's offset from UTC at `instant`, in milliseconds.
    func offsetMillis(at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant) / 1000))) * 1000
    }

    /// The wall-clock reading at `instant`, as local milliseconds.
    func local(_ instant: Int64) -> Int64 { instant + offsetMillis(at: instant) }

    /// The earliest instant whose wall-clock reading is at least `local` (see the type's note).
    func instant(local: Int64) -> Int64 {
        let day: Int64 = 86_400_000
        let before = offsetMillis(at: local - day)
        let after = offsetMillis(at: local + day)
        var best: Int64?
        for offset in Set([before, after, offsetMillis(at: local - before), offsetMillis(at: local - after)]) {
            let candidate = local - offset
            if self.local(candidate) == local, best == nil || candidate < best! { best = candidate }
        }
        if let best { return best }
        // The wall clock skips `local`: the answer is the transition, which lies after
        // `local - largest offset` and at or before `local - smallest offset`.
        let low = local - max(before, after)
        let high = local - min(before, after)
        if let next = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(low) / 1000)) {
            let transition = Int64((next.timeIntervalSince1970 * 1000).rounded())
            if transition > low && transition <= high { return transition }
        }
        // No transition found (not expected with tzdata): search the jump by bisection.
        var lo = low
        var hi = high
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if self.local(mid) >= local { hi = mid } else { lo = mid }
        }
        return hi
    }
}
