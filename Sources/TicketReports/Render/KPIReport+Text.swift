internal import Foundation

extension KPIReport {
    /// The report's columns, one row per group and a last row for the total.
    public static let columns = [
        "group", "tickets", "resolved", "first_response_met", "next_response_met", "resolution_met", "breaches", "at_risk",
        "escalation_rate", "first_response_p50", "first_response_p90", "resolution_p50", "resolution_p90",
        "first_contact_resolution", "reopen_rate", "recurring_escalations", "csat_average", "paused",
    ]

    /// The rows behind ``table()`` and ``csv()``: raw values for CSV, readable ones for tables.
    /// Ungrouped, the one group is the total, so only the total is listed.
    public func rows(readable: Bool) -> [[String]] {
        (groupBy == KPIGrouping.none.rawValue ? [total] : groups + [total]).map { group in
            func rate(_ value: Double?) -> String {
                guard let value else { return readable ? "–" : "" }
                return readable ? "\(Int((value * 100).rounded())) %" : String(format4(value))
            }
            func duration(_ value: UInt64?) -> String {
                guard let value else { return readable ? "–" : "" }
                return readable ? Self.readableDuration(value) : String(value)
            }
            func metric(_ name: String) -> String { rate(group.compliance.first { $0.metric == name }?.rate) }
            return [
                group.key, String(group.tickets), String(group.resolved), metric("first_response"), metric("next_response"),
                metric("resolution"), String(group.breaches), String(group.atRisk), rate(group.escalated.rate),
                duration(group.firstResponse.medianMillis), duration(group.firstResponse.p90Millis),
                duration(group.resolution.medianMillis), duration(group.resolution.p90Millis),
                rate(group.firstContactResolution.rate), rate(group.reopened.rate), String(group.recurringEscalations.tickets),
                group.csat.average.map { readable ? String(format1($0)) : String(format4($0)) } ?? (readable ? "–" : ""),
                duration(group.pausedMillis),
            ]
        }
    }

    /// An aligned text table, with the root causes of the total below it.
    public func table() -> String {
        let header = ["GROUP", "TICKETS", "SOLVED", "FR MET", "NR MET", "RES MET", "BREACHES", "AT RISK", "ESC", "FR P50", "FR P90",
                      "RES P50", "RES P90", "FCR", "REOPEN", "RECUR", "CSAT", "PAUSED"]
        let all = [header] + rows(readable: true)
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        var lines = all.map { row in
            row.indices.map { column in
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        lines.insert(provisional ? "provisional (this station's replica; the server's report is authoritative)" : "authoritative (server)", at: 0)
        if !total.rootCauses.isEmpty {
            lines.append("")
            lines.append("top root causes: " + total.rootCauses.map { "\($0.name) (\($0.count))" }.joined(separator: ", "))
        }
        if !total.recurringEscalations.top.isEmpty {
            lines.append("recurring: " + total.recurringEscalations.top.map { "\($0.name) (\($0.count))" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as JSON with snake_case keys, as the HTTP API and both CLIs print it.
    public func json(pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // Every member is a number, a string, a Bool or an array of those: encoding cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// RFC 4180 CSV: a header line and one line per group, then the total (group `all`; alone when ungrouped).
    public func csv() -> String {
        ([Self.columns] + rows(readable: false)).map { row in row.map(Self.csvField).joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// "45m", "3h 20m", "2d 4h".
    public static func readableDuration(_ millis: UInt64) -> String {
        let minutes = millis / 60_000
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 48 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h \(minutes % 60)m" }
        return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d \(hours % 24)h"
    }
}

/// `value` with at most 4 decimals, no trailing zeros (no Foundation formatting needed).
func format4(_ value: Double) -> String { formatted(value, places: 4) }
/// `value` with one decimal.
func format1(_ value: Double) -> String { formatted(value, places: 1, keepZero: true) }

func formatted(_ value: Double, places: Int, keepZero: Bool = false) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = Int64((value * scale).rounded())
    let whole = scaled / Int64(scale)
    var fraction = String(abs(scaled % Int64(scale)))
    fraction = String(repeating: "0", count: places - fraction.count) + fraction
    if !keepZero { while fraction.hasSuffix("0") { fraction.removeLast() } }
    let sign = value < 0 && whole == 0 ? "-" : ""
    return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
}
