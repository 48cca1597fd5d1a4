/// Durations as policy files write them: a whole number and a unit, `30s`, `90m`, `2h`, `1d`,
/// or several joined, `1h30m`. A day is 24 hours of business time, not a calendar day.
public enum SLADuration {
    /// The longest duration accepted: 366 days.
    public static let maxMillis: UInt64 = 366 * 86_400_000

    /// Parses a duration into milliseconds.
    public static func parse(_ text: some StringProtocol) throws(SLAConfigurationError) -> UInt64 {
        let text = String(text)
        func bad() -> SLAConfigurationError {
            SLAConfigurationError(
                .badDuration,
                "duration '\(text.prefix(40))' is not a whole number with a unit; write e.g. 30s, 90m, 2h, 1d or 1h30m"
            )
        }
        var total: UInt64 = 0
        var digits = ""
        var sawUnit = false
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                digits.append(character)
                guard digits.count <= 9 else { throw bad() }
                _ = digit
                continue
            }
            let unit: UInt64
            switch character {
            case "d": unit = 86_400_000
            case "h": unit = 3_600_000
            case "m": unit = 60_000
            case "s": unit = 1000
            default: throw bad()
            }
            guard let value = UInt64(digits) else { throw bad() }
            total += value * unit
            digits = ""
            sawUnit = true
        }
        guard digits.isEmpty, sawUnit else { throw bad() }
        guard total > 0 else {
            throw SLAConfigurationError(.badDuration, "duration '\(text.prefix(40))' is zero; give a positive duration such as 30m")
        }
        guard total <= maxMillis else {
            throw SLAConfigurationError(.badDuration, "duration '\(text.prefix(40))' is longer than the limit of 366d")
        }
        return total
    }

    /// The shortest spelling: `2h`, `1h30m`, `45s`; sub-second parts as `250ms`.
    public static func text(_ millis: UInt64) -> String {
        if millis == 0 { return "0s" }
        var rest = millis
        var text = ""
        for (unit, name) in [(UInt64(86_400_000), "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s"), (1, "ms")] {
            if rest >= unit {
                text += "\(rest / unit)\(name)"
                rest %= unit
            }
        }
        return text
    }
}
