internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore
internal import TicketReports

/// The dashboard at `/`: sign-in with a dashboard credential (a form, or a link from
/// `ticketsyncd station link NAME`), the page, its live part, and a server-sent event stream
/// that tells the page to refresh.
struct DashboardRoutes: Sendable {
    let store: any ServerStore
    let reports: ReportSource
    let session: DashboardSession
    let now: @Sendable () -> UInt64
    /// How often an open page refreshes at the latest, and how long one event stream lasts
    /// (the browser reconnects by itself).
    static let refreshSeconds = 5
    static let streamSeconds = 600

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in
            guard let user = await user(request) else { return html(DashboardPage.login(error: nil)) }
            return html(DashboardPage.page(try await model(for: user)))
        }
        router.get("/dashboard/live") { request, _ in
            guard let user = await user(request) else { return Response(status: .unauthorized) }
            return html(DashboardPage.body(try await model(for: user)))
        }
        router.get("/login") { request, _ in
            guard let link = request.uri.queryParameters.get("link"),
                let name = session.verify(link, purpose: "link", nowSeconds: now() / 1000),
                let record = await credential(name)
            else { return html(DashboardPage.login(error: "The sign-in link is not valid or has expired; ask for a new one."), status: .unauthorized) }
            return signedIn(record)
        }
        router.post("/login") { request, _ in
            let body = (try? await request.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            let secret = Self.formValue("secret", in: body) ?? ""
            guard !secret.isEmpty, let record = try? await store.station(tokenHash: StationToken.hash(secret)),
                !record.revoked, record.kind == .dashboard
            else { return html(DashboardPage.login(error: "That secret is not a dashboard credential of this server."), status: .unauthorized) }
            return signedIn(record)
        }
        router.post("/logout") { _, _ in
            var response = Response(status: .seeOther, headers: [.location: "/"])
            response.headers[.setCookie] = "\(DashboardSession.cookie)=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"
            return response
        }
        router.get("/dashboard/events") { request, _ in
            guard await user(request) != nil else { return Response(status: .unauthorized) }
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
                for _ in 0..<(Self.streamSeconds / Self.refreshSeconds) {
                    try await Task.sleep(for: .seconds(Self.refreshSeconds))
                    try await writer.write(ByteBuffer(string: "event: refresh\ndata: \(now())\n\n"))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
        }
    }

    func signedIn(_ record: StationRecord) -> Response {
        let token = session.token(record.name, expiry: now() / 1000 + DashboardSession.sessionSeconds, purpose: "session")
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.headers[.setCookie] =
            "\(DashboardSession.cookie)=\(token); Path=/; Max-Age=\(DashboardSession.sessionSeconds); HttpOnly; Secure; SameSite=Strict"
        return response
    }

    /// The signed-in dashboard credential, or nil.
    func user(_ request: Request) async -> StationRecord? {
        guard let cookies = request.headers[.cookie] else { return nil }
        for part in cookies.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            guard pair.hasPrefix(DashboardSession.cookie + "=") else { continue }
            let token = String(pair.dropFirst(DashboardSession.cookie.count + 1))
            guard let name = session.verify(token, purpose: "session", nowSeconds: now() / 1000) else { return nil }
            return await credential(name)
        }
        return nil
    }

    /// The dashboard credential `name` if it exists and is not revoked.
    func credential(_ name: String) async -> StationRecord? {
        guard let records = try? await store.stations() else { return nil }
        return records.first { $0.name == name && $0.kind == .dashboard && !$0.revoked }
    }

    func model(for user: StationRecord) async throws -> DashboardPage.Model {
        let current = now()
        let query = KPIQuery.recent(groupBy: .site, now: current)
        let facts: [TicketFacts]
        do {
            facts = try await reports.facts(query, scopes: user.scopes)
        } catch {
            throw HTTPError(.serviceUnavailable, message: error.message)
        }
        let report = KPIReport.compute(facts, query: query, provisional: false)
        return DashboardPage.Model(total: report.total, sites: report.groups, facts: facts, now: current, user: user.name)
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

    /// A value of an `application/x-www-form-urlencoded` body.
    static func formValue(_ name: String, in body: String) -> String? {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0] == name else { continue }
            return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }
}
