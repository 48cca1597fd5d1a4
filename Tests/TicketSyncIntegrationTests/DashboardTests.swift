import Foundation
import NIOHTTP1
import Testing

/// The dashboard and `/metrics` against a real server: sign-in, the figures the API reports,
/// a real headless browser (Debian's `chromium`), and the Prometheus text format.
@Suite(.serialized) struct DashboardTests {
    /// Runs a command on a thread of its own (never on the test's cooperative pool).
    static func offPool(_ executable: String, _ arguments: [String], timeout: Double = 120) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do { continuation.resume(returning: try run(executable, arguments, timeout: timeout)) } catch { continuation.resume(throwing: error) }
            }.start()
        }
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Where screenshots go: `$TICKETSYNC_ARTIFACTS`, else `.build/test-artifacts` beside the tests.
    static var artifacts: String {
        if let path = ProcessInfo.processInfo.environment["TICKETSYNC_ARTIFACTS"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("test-artifacts").path
    }

    @Test func theDashboardShowsWhatTheAPIReports() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        let api = try APIClient(server)
        do {
            let key = try server.addStation("shop", scopes: ["all"], kind: "integration")
            let secret = try server.addStation("lead", scopes: ["all"], kind: "dashboard")
            for (site, cause) in [("DFW1", "carrier delay"), ("DFW1", "carrier delay"), ("LHR2", "")] {
                let created = try await api.call(.POST, "/api/v1/tickets", key: key, json: ["title": "Parcel", "site": site, "category": "carrier"])
                let id = try #require(created.json["id"] as? String)
                if !cause.isEmpty {
                    let solved = try await api.call(.PATCH, "/api/v1/tickets/\(id)", key: key, json: ["status": "solved", "root_cause": cause, "csat": 5])
                    #expect(solved.status == 200, "\(solved.text)")
                }
            }
            var report: [String: Any] = [:]
            for _ in 0..<120 {
                report = (try await api.call(.GET, "/api/v1/reports/kpis?group_by=site", key: key).json["total"] as? [String: Any]) ?? [:]
                if report["tickets"] as? Int == 3, report["resolved"] as? Int == 2 { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(report["tickets"] as? Int == 3)
            let breaches = try #require(report["breaches"] as? Int)
            let atRisk = try #require(report["at_risk"] as? Int)

            // Signing in: a form with the secret, refused for anything else.
            let page = try await api.call(.GET, "/")
            #expect(page.status == 200)
            #expect(page.text.contains("name=\"secret\""))
            let wrong = try await api.call(.POST, "/login", raw: Data("secret=nope".utf8), contentType: "application/x-www-form-urlencoded")
            #expect(wrong.status == 401)
            let keyAsDashboard = try await api.call(.POST, "/login", raw: Data("secret=\(key)".utf8), contentType: "application/x-www-form-urlencoded")
            #expect(keyAsDashboard.status == 401)
            let signIn = try await api.call(.POST, "/login", raw: Data("secret=\(secret)".utf8), contentType: "application/x-www-form-urlencoded")
            #expect(signIn.status == 303)
            let cookie = try #require(signIn.headers.first(name: "Set-Cookie")?.split(separator: ";").first.map(String.init))
            let dashboard = try await api.call(.GET, "/", headers: [("Cookie", cookie)])
            #expect(dashboard.text.contains("id=\"kpi-tickets\">3<"))
            #expect(dashboard.text.contains("id=\"kpi-breaches\">\(breaches)<"))
            #expect(dashboard.text.contains("<svg id=\"chart-compliance\""))
            #expect(!dashboard.text.contains("http://") && !dashboard.text.contains("https://"), "no external resource")
            let live = try await api.call(.GET, "/dashboard/live", headers: [("Cookie", cookie)])
            #expect(live.status == 200)
            #expect(try await api.call(.GET, "/dashboard/live", headers: [("Cookie", "ticketsync_dashboard=lead.99999999999.00")]).status == 401)

            // A real browser, signed in by a link from `ticketsyncd station link`.
            if let chromium = Self.chromium {
                let link = try await Self.offPool(server.binary, ["station", "link", "lead", "--url", "https://localhost:\(server.port)"] + server.storeArguments)
                #expect(link.status == 0, "\(link.stderr)")
                let url = link.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--ignore-certificate-errors", "--user-data-dir=\(folder.path("chromium"))"]
                let dom = try await Self.offPool(chromium, browser + ["--dump-dom", url])
                #expect(dom.stdout.contains("id=\"kpi-tickets\">3<"), "\(dom.stderr.suffix(2000))")
                #expect(dom.stdout.contains("id=\"kpi-breaches\">\(breaches)<"))
                #expect(dom.stdout.contains("id=\"kpi-at-risk\">\(atRisk)<"))
                #expect(dom.stdout.contains("carrier delay"))
                try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
                let shot = Self.artifacts + "/dashboard.png"
                let screenshot = try await Self.offPool(
                    chromium, browser + ["--user-data-dir=\(folder.path("chromium2"))", "--window-size=1366,900", "--screenshot=\(shot)", url]
                )
                #expect(screenshot.status == 0, "\(screenshot.stderr.suffix(2000))")
                #expect(FileManager.default.fileExists(atPath: shot))
            } else {
                #expect(ProcessInfo.processInfo.environment["CI"] != "true", "CI must install chromium (.ci/run)")
            }

            // /metrics is the Prometheus text format: # HELP/# TYPE lines and `name{labels} value` samples.
            let metrics = try await api.call(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.contentType.hasPrefix("text/plain"))
            var samples: [String: Double] = [:]
            for line in metrics.text.split(separator: "\n") where !line.isEmpty {
                if line.hasPrefix("#") {
                    #expect(line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP "), "\(line)")
                    continue
                }
                let match = line.wholeMatch(of: /([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)/)
                #expect(match != nil, "not a Prometheus sample: \(line)")
                if let match { samples[String(match.1) + String(match.2 ?? "")] = Double(match.3) }
            }
            #expect((samples["ticketsync_operations_in_total{source=\"api\"}"] ?? 0) >= 5)
            #expect(samples["ticketsync_connected_stations"] != nil)
            #expect(samples.keys.contains { $0.hasPrefix("ticketsync_sla_clocks{") })
        } catch {
            try await api.shutdown()
            server.stop()
            throw error
        }
        try await api.shutdown()
        server.stop()
    }
}
