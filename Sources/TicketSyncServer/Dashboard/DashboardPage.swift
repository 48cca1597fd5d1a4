internal import TicketSLA
internal import TicketReports

/// The dashboard's HTML: everything rendered here, on the server, charts as inline SVG; the page
/// carries one small inline script that re-fetches the body when the server says something changed.
enum DashboardPage {
    /// What one rendering shows.
    struct Model {
        var total: KPIGroup
        var sites: [KPIGroup]
        var facts: [TicketFacts]
        var now: UInt64
        var user: String
    }

    static let tierColors = ["#2f6fde", "#e08a1e", "#c0392b", "#7d3c98", "#16a085"]

    static func percent(_ rate: Double?) -> String { rate.map { "\(Int(($0 * 100).rounded())) %" } ?? "–" }

    /// The worst tickets first: breached (longest overdue first), then at risk (least time left first).
    static func worst(_ facts: [TicketFacts], now: UInt64) -> [(facts: TicketFacts, clock: ClockFact, breached: Bool)] {
        var rows: [(facts: TicketFacts, clock: ClockFact, breached: Bool)] = []
        for ticket in facts where !ticket.isResolved {
            let open = ticket.clocks.filter { $0.dueMillis != nil }
            if let clock = open.filter({ $0.state(at: now) == .breached }).min(by: { $0.dueMillis! < $1.dueMillis! }) {
                rows.append((ticket, clock, true))
            } else if let clock = open.filter({ $0.isAtRisk(at: now) }).min(by: { $0.dueMillis! < $1.dueMillis! }) {
                rows.append((ticket, clock, false))
            }
        }
        return rows.sorted { lhs, rhs in
            if lhs.breached != rhs.breached { return lhs.breached }
            return (lhs.clock.dueMillis ?? 0, lhs.facts.ticket) < (rhs.clock.dueMillis ?? 0, rhs.facts.ticket)
        }
    }

    /// The live part of the page.
    static func body(_ model: Model) -> String {
        let total = model.total
        var html = "<section class=\"tiles\">"
        let tiles: [(String, String, String)] = [
            ("kpi-tickets", "Tickets (30 days)", String(total.tickets)),
            ("kpi-compliance", "Resolution SLA met", percent(total.compliance.first { $0.metric == "resolution" }?.rate)),
            ("kpi-first-response", "First response SLA met", percent(total.compliance.first { $0.metric == "first_response" }?.rate)),
            ("kpi-breaches", "Breaches", String(total.breaches)),
            ("kpi-at-risk", "At risk now", String(total.atRisk)),
            ("kpi-escalation-rate", "Escalated beyond tier 1", percent(total.escalated.rate)),
            ("kpi-fcr", "First contact resolution", percent(total.firstContactResolution.rate)),
            ("kpi-csat", "CSAT", total.csat.average.map { String(Double(Int($0 * 10)) / 10) } ?? "–"),
        ]
        for (id, label, value) in tiles {
            html += "<div class=\"tile\"><div class=\"tile-label\">\(label)</div><div class=\"tile-value\" id=\"\(id)\">\(HTML.escape(value))</div></div>"
        }
        html += "</section><section class=\"grid\">"

        let compliance = total.compliance.map { entry in
            SVGChart.Bar(
                label: entry.metric.replacingUnderscoresWithSpaces, value: entry.rate ?? 0, text: percent(entry.rate),
                color: (entry.rate ?? 1) >= 0.9 ? "#27ae60" : (entry.rate ?? 1) >= 0.75 ? "#e08a1e" : "#c0392b"
            )
        }
        html += card("SLA compliance", SVGChart.horizontal(compliance, maximum: 1, id: "chart-compliance", title: "SLA compliance"))

        let worst = worst(model.facts, now: model.now).prefix(20)
        var table = "<table id=\"at-risk\"><thead><tr><th>Ticket</th><th>Site</th><th>Clock</th><th>Time left</th></tr></thead><tbody>"
        for row in worst {
            let due = row.clock.dueMillis ?? model.now
            let left = due > model.now ? KPIReport.readableDuration(due - model.now) : "overdue " + KPIReport.readableDuration(model.now - due)
            table += "<tr class=\"\(row.breached ? "breached" : "risk")\"><td><code>\(HTML.escape(String(row.facts.ticket.prefix(13))))</code></td>"
            table += "<td>\(HTML.escape(row.facts.site))</td><td>\(HTML.escape(row.clock.metric.replacingUnderscoresWithSpaces))</td><td>\(left)</td></tr>"
        }
        table += worst.isEmpty ? "<tr><td colspan=\"4\" class=\"empty\">Nothing at risk or breached.</td></tr>" : ""
        html += card("At risk and breached (worst first)", table + "</tbody></table>")

        let day: UInt64 = 86_400_000
        let today = model.now / day
        let tiers = Set(model.facts.flatMap { $0.escalations.map(\.tier) }).sorted()
        var perDay: [UInt64: [Int: Int]] = [:]
        for escalation in model.facts.flatMap(\.escalations) where escalation.atMillis / day + 14 > today {
            perDay[escalation.atMillis / day, default: [:]][escalation.tier, default: 0] += 1
        }
        let columns = (0..<14).map { offset -> (label: String, segments: [(Double, String)]) in
            let dayNumber = today - UInt64(13 - offset)
            let counts = perDay[dayNumber] ?? [:]
            return (offset % 2 == 1 ? "" : dayLabel(dayNumber), tiers.map { (Double(counts[$0] ?? 0), tierColors[($0 - 2) % tierColors.count]) })
        }
        html += card(
            "Escalations by tier, last 14 days",
            SVGChart.columns(columns, id: "chart-escalations", title: "Escalations", legend: tiers.map { ("tier \($0)", tierColors[($0 - 2) % tierColors.count]) })
        )

        let bounds = ["<1h", "<2h", "<4h", "<8h", "<1d", "<2d", "<1w", "more"]
        let histogram = zip(bounds, total.resolution.histogram).map { (label: $0.0, segments: [(Double($0.1), "#2f6fde")]) }
        html += card(
            "Time to resolution (median \(total.resolution.medianMillis.map(KPIReport.readableDuration) ?? "–"), p90 \(total.resolution.p90Millis.map(KPIReport.readableDuration) ?? "–"))",
            SVGChart.columns(histogram, id: "chart-resolution", title: "Time to resolution")
        )

        let causes = total.rootCauses.map { SVGChart.Bar(label: $0.name, value: Double($0.count), text: String($0.count), color: "#7d3c98") }
        var problems = SVGChart.horizontal(causes, id: "chart-root-causes", title: "Root causes")
        if !total.recurringEscalations.top.isEmpty {
            problems += "<p class=\"sub\">Recurring escalations: " + total.recurringEscalations.top.map { "\(HTML.escape($0.name)) (\($0.count))" }.joined(separator: ", ") + "</p>"
        }
        html += card("Top root causes and recurring problems", problems)

        var sites = "<table id=\"sites\"><thead><tr><th>Site</th><th>Tickets</th><th>Resolution met</th><th>Breaches</th><th>At risk</th><th>Escalated</th></tr></thead><tbody>"
        for site in model.sites {
            sites += "<tr><td>\(HTML.escape(site.key))</td><td>\(site.tickets)</td><td>\(percent(site.compliance.first { $0.metric == "resolution" }?.rate))</td>"
            sites += "<td>\(site.breaches)</td><td>\(site.atRisk)</td><td>\(percent(site.escalated.rate))</td></tr>"
        }
        html += card("Per site", sites + "</tbody></table>")
        return html + "</section>"
    }

    static func card(_ title: String, _ content: String) -> String {
        "<article class=\"card\"><h2>\(HTML.escape(title))</h2>\(content)</article>"
    }

    static func dayLabel(_ dayNumber: UInt64) -> String {
        let date = LocalDate(dayNumber: Int64(dayNumber)).components
        return "\(date.month)/\(date.day)"
    }

    static let style = """
        :root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;background:#f3f5f9}
        body{margin:0}header{display:flex;justify-content:space-between;align-items:center;padding:12px 24px;background:#1d2330;color:#fff}
        header h1{font-size:20px;margin:0}header form{margin:0}header button{background:none;color:#fff;border:1px solid #fff;border-radius:4px;padding:4px 10px}
        main{padding:16px 24px}.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:12px;margin-bottom:16px}
        .tile{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002}.tile-label{font-size:13px;color:#5b6477}
        .tile-value{font-size:30px;font-weight:600;margin-top:4px}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:16px}
        .card{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002;overflow:auto}.card h2{font-size:16px;margin:0 0 8px}
        .chart{width:100%;height:auto}.chart .label,.chart .value,.chart .tick{font-size:13px;fill:#1d2330}.chart .tick{font-size:11px;fill:#5b6477}
        table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e7ee}
        tr.breached td{color:#c0392b;font-weight:600}tr.risk td{color:#a4610f}.empty{color:#5b6477}.sub{font-size:13px;color:#5b6477}
        .login{max-width:360px;margin:80px auto;background:#fff;padding:24px;border-radius:8px;box-shadow:0 1px 3px #0003}
        .login input{width:100%;padding:8px;margin:8px 0;box-sizing:border-box}.login button{padding:8px 16px}.error{color:#c0392b}
        @media (min-width:1800px){:root{font-size:20px}.tile-value{font-size:48px}.card h2{font-size:22px}table{font-size:18px}}
        """

    static func page(_ model: Model) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>TicketSync SLAs</title><style>\(style)</style></head><body>
        <header><h1>TicketSync — SLAs</h1><form method="post" action="/logout"><span>\(HTML.escape(model.user))</span> <button>Sign out</button></form></header>
        <main id="live" data-updated="\(model.now)">\(body(model))</main>
        <script>
        (function(){var s=new EventSource('/dashboard/events');s.addEventListener('refresh',function(){
        fetch('/dashboard/live',{credentials:'same-origin'}).then(function(r){if(r.status===200)return r.text();if(r.status===401)location.reload();})
        .then(function(t){if(t){var m=document.getElementById('live');m.innerHTML=t;m.dataset.updated=Date.now();}});});})();
        </script></body></html>
        """
    }

    static func login(error: String?) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>Sign in — TicketSync</title><style>\(style)</style></head><body>
        <form class="login" method="post" action="/login"><h1>TicketSync</h1>
        <p>Sign in with a dashboard credential (<code>ticketsyncd station add NAME --kind dashboard --scope all</code>).</p>
        \(error.map { "<p class=\"error\">\(HTML.escape($0))</p>" } ?? "")
        <label>Secret <input type="password" name="secret" autocomplete="current-password" required></label>
        <button type="submit">Sign in</button></form></body></html>
        """
    }
}

extension String {
    var replacingUnderscoresWithSpaces: String { String(map { $0 == "_" ? " " : $0 }) }
}
