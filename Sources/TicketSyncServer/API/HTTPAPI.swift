internal import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import NIOCore
internal import TicketModel
internal import TicketReports

/// The HTTP JSON API under `/api/v1` for integrations (the web shop, the WMS, carrier feeds),
/// described in `Protocol/openapi.yaml`. Every call carries an integration key
/// (`Authorization: Bearer KEY`, made with `ticketsyncd station add NAME --kind integration`);
/// the key's scopes limit what it reads and writes exactly as a station's do. Errors are
/// `application/problem+json` (RFC 9457).
struct HTTPAPI: Sendable {
    /// The largest request body accepted.
    static let defaultMaxBodyBytes = 64 * 1024
    /// The most tickets a query page returns.
    static let maxPageSize = 500
    /// The most tickets one query request scans looking for matches (the page then ends early,
    /// with `next` set, so a client keeps paging).
    static let maxScan = 20_000

    let store: any ServerStore
    let writer: IntegrationWriter
    let reports: ReportSource
    let maxBodyBytes: Int
    let now: @Sendable () -> UInt64

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.post("tickets") { request, _ in await answer { () async throws(Problem) in try await create(request) } }
        api.get("tickets") { request, _ in await answer { () async throws(Problem) in try await query(request) } }
        api.get("tickets/:id") { request, context in
            await answer { () async throws(Problem) in try await show(request, id: context.parameters.get("id") ?? "") }
        }
        api.patch("tickets/:id") { request, context in
            await answer { () async throws(Problem) in try await update(request, id: context.parameters.get("id") ?? "") }
        }
        api.post("tickets/:id/comments") { request, context in
            await answer { () async throws(Problem) in try await comment(request, id: context.parameters.get("id") ?? "") }
        }
        api.get("reports/kpis") { request, _ in await answer { () async throws(Problem) in try await kpis(request) } }
        api.get("**") { _, _ in Problem.notFound("no such API endpoint; see Protocol/openapi.yaml").response }
    }

    func answer(_ body: () async throws(Problem) -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            return error.response
        }
    }

    // MARK: Authentication and bodies

    func authenticate(_ request: Request) async throws(Problem) -> StationRecord {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthorized("send an integration key as 'Authorization: Bearer KEY' ('ticketsyncd station add NAME --kind integration' makes one)")
        }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard let record = try await serverCall({ () async throws(ServerError) in try await store.station(tokenHash: StationToken.hash(token)) }) else {
            throw Problem.unauthorized("the key is not known to this server")
        }
        if record.revoked { throw Problem.unauthorized("the key '\(record.name)' was revoked") }
        guard record.kind == .integration else {
            throw Problem.unauthorized("'\(record.name)' is a \(record.kind) credential; the API takes integration keys ('--kind integration')")
        }
        return record
    }

    func body(_ request: Request) async throws(Problem) -> [String: JSONValue] {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw Problem(.unsupportedMediaType, "unsupported-media-type", "send the body as application/json, not \(type.prefix(60))")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw Problem(.contentTooLarge, "too-large", "the body is \(length) bytes; the limit is \(maxBodyBytes)")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            throw Problem(.contentTooLarge, "too-large", "the body is over the limit of \(maxBodyBytes) bytes")
        }
        return try JSONValue.object(Array(buffer.readableBytesView))
    }

    func ticketID(_ text: String) throws(Problem) -> TicketID {
        guard let id = TicketID(text) else { throw Problem.badRequest("'\(text.prefix(60))' is not a ticket id (a UUID)", field: "id") }
        return id
    }

    func requireInScope(_ key: StationRecord, _ state: TicketState) throws(Problem) {
        if !key.scopes.contains(state.id, at: state.placement) {
            throw Problem.notFound("no ticket \(state.id) in the key's scopes")
        }
    }

    // MARK: Tickets

    func create(_ request: Request) async throws(Problem) -> Response {
        let key = try await authenticate(request)
        let object = try await body(request)
        let id: TicketID
        if let given = object["id"] {
            guard case .string(let text) = given else { throw Problem.invalidField("id", "'id' must be a UUID string") }
            id = try ticketID(text)
        } else {
            var generator = SystemRandomNumberGenerator()
            id = TicketID.version7(unixMillis: now(), using: &generator)
        }
        var given: [FieldKey: FieldValue] = [:]
        for (field, value) in try fieldWrites(object, reserved: ["id", "tags", "watchers"], allowNull: false) { given[field] = value }
        let fields = given
        guard fields[.title] != nil else { throw Problem.invalidField("title", "a new ticket needs a 'title'") }
        let tags = try object["tags"].map { value throws(Problem) in try value.strings("tags") } ?? []
        let watchers = try object["watchers"].map { value throws(Problem) in try value.strings("watchers") } ?? []
        let ticket = try await writer.write(ticket: id, as: key) { existing throws(Problem) in
            if existing != nil { throw Problem(.conflict, "already-exists", "ticket \(id) already exists; PATCH it instead") }
            return [Payload.create(fields)] + tags.map { .add(.tags, $0) } + watchers.map { .add(.watchers, $0) }
        }
        var response = jsonResponse(APITicket(ticket, withComments: true), status: .created)
        response.headers[.location] = "/api/v1/tickets/\(id)"
        return response
    }

    func update(_ request: Request, id text: String) async throws(Problem) -> Response {
        let key = try await authenticate(request)
        let id = try ticketID(text)
        let object = try await body(request)
        let listKeys = ["add_tags", "remove_tags", "add_watchers", "remove_watchers"]
        let writes = try fieldWrites(object, reserved: Set(listKeys), allowNull: true)
        var given: [String: [String]] = [:]
        for name in listKeys { if let value = object[name] { given[name] = try value.strings(name) } }
        let lists = given
        guard !writes.isEmpty || !lists.isEmpty else {
            throw Problem.badRequest("nothing to change: give fields to set (null clears one) or add_tags/remove_tags/add_watchers/remove_watchers")
        }
        let ticket = try await writer.write(ticket: id, as: key) { state throws(Problem) in
            guard let state else { throw Problem.notFound("no ticket \(id)") }
            try requireInScope(key, state)
            var payloads = writes.map { state.setPayload($0.0, $0.1) }
            payloads += (lists["add_tags"] ?? []).map { .add(.tags, $0) } + (lists["add_watchers"] ?? []).map { .add(.watchers, $0) }
            for (name, set) in [("remove_tags", TicketSet.tags), ("remove_watchers", .watchers)] {
                for element in lists[name] ?? [] {
                    do throws(TicketModelError) {
                        payloads.append(try state.removePayload(element, from: set))
                    } catch {
                        throw Problem.invalidField(name, error.message)
                    }
                }
            }
            return payloads
        }
        return jsonResponse(APITicket(ticket, withComments: true))
    }

    func comment(_ request: Request, id text: String) async throws(Problem) -> Response {
        let key = try await authenticate(request)
        let id = try ticketID(text)
        let object = try await body(request)
        guard case .string(let body)? = object["body"] else { throw Problem.invalidField("body", "a comment needs a 'body' string") }
        let visibility: CommentVisibility
        switch object["visibility"] {
        case nil, .string("public")?: visibility = .public
        case .string("internal")?: visibility = .internal
        default: throw Problem.invalidField("visibility", "'visibility' must be \"public\" or \"internal\"")
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "body" && $0 != "visibility" }) {
            throw Problem.invalidField(unknown, "a comment has only 'body' and 'visibility'")
        }
        let ticket = try await writer.write(ticket: id, as: key) { state throws(Problem) in
            guard let state else { throw Problem.notFound("no ticket \(id)") }
            try requireInScope(key, state)
            return [.comment(body: body, visibility: visibility)]
        }
        let made = ticket.comments.last { $0.author == Author(.integration, key.name) }
        var response = jsonResponse(APITicket(ticket, withComments: true), status: .created)
        if let made { response.headers[.location] = "/api/v1/tickets/\(id)#comment-\(made.id)" }
        return response
    }

    func show(_ request: Request, id text: String) async throws(Problem) -> Response {
        let key = try await authenticate(request)
        let id = try ticketID(text)
        let history = try await serverCall { () async throws(ServerError) in try await store.history(of: id) }
        let state = TicketState.replaying(history, of: id)
        guard state.created != nil else { throw Problem.notFound("no ticket \(id)") }
        try requireInScope(key, state)
        return jsonResponse(APITicket(state.view, withComments: true))
    }

    func query(_ request: Request) async throws(Problem) -> Response {
        let key = try await authenticate(request)
        let parameters = request.uri.queryParameters
        let filter = try TicketFilter(parameters)
        var limit = 50
        if let text = parameters.get("limit") {
            guard let value = Int(text), (1...Self.maxPageSize).contains(value) else {
                throw Problem.invalidField("limit", "'limit' must be a whole number from 1 to \(Self.maxPageSize)")
            }
            limit = value
        }
        var after = try parameters.get("after").map { text throws(Problem) in try ticketID(text) }
        var found: [APITicket] = []
        var scanned = 0
        var exhausted = false
        while found.count < limit && scanned < Self.maxScan {
            let cursor = after
            let views = try await serverCall { () async throws(ServerError) in try await store.tickets(after: cursor, limit: 500) }
            if views.isEmpty { exhausted = true; break }
            for view in views {
                scanned += 1
                after = view.id
                guard view.createdStamp != nil, key.scopes.contains(view.id, at: view.placement) else { continue }
                if filter.matches(view) {
                    found.append(APITicket(view, withComments: false))
                    if found.count == limit { break }
                }
            }
            if views.count < 500 && found.count < limit { exhausted = true; break }
        }
        return jsonResponse(APITicketPage(tickets: found, next: exhausted ? nil : after?.description))
    }

    // MARK: Reports

    func kpis(_ request: Request) async throws(Problem) -> Response {
        let key = try await authenticate(request)
        let query = try kpiQuery(request.uri.queryParameters, now: now())
        let report = try await reports.apiReport(query, scopes: key.scopes)
        return jsonResponse(report)
    }
}

/// The query parameters of `GET /api/v1/tickets`.
struct TicketFilter {
    var exact: [(FieldKey, String)] = []
    var tag: String?
    var text: String?

    init(_ parameters: Parameters) throws(Problem) {
        for (name, key) in [("status", FieldKey.status), ("priority", .priority), ("category", .category), ("site", .site),
                            ("team", .group), ("assignee", .assignee), ("requester", .requester), ("order_ref", .orderRef)] {
            if let value = parameters.get(name) { exact.append((key, value)) }
        }
        tag = parameters.get("tag")
        text = parameters.get("q")?.lowercased()
        let known: Set<String> = ["status", "priority", "category", "site", "team", "assignee", "requester", "order_ref", "tag", "q", "limit", "after"]
        if let unknown = parameters.map({ String($0.key) }).sorted().first(where: { !known.contains($0) }) {
            throw Problem.invalidField(unknown, "unknown query parameter '\(unknown.prefix(40))'; known: \(known.sorted().joined(separator: ", "))")
        }
    }

    func matches(_ ticket: Ticket) -> Bool {
        for (key, value) in exact {
            let actual = key == .status ? ticket.status.rawValue : key == .priority ? ticket.priority.rawValue : ticket[key]?.description ?? ""
            if actual != value { return false }
        }
        if let tag, !ticket.tags.contains(tag) { return false }
        if let text, !ticket.title.lowercased().contains(text), !(ticket[.description]?.text?.lowercased().contains(text) ?? false) { return false }
        return true
    }
}

/// A KPI query from `from`, `to` (a date or RFC 3339 time; default: the last 30 days),
/// `group_by` and `recurrence_days`.
func kpiQuery(_ parameters: Parameters, now: UInt64) throws(Problem) -> KPIQuery {
    let known: Set<String> = ["from", "to", "group_by", "recurrence_days"]
    if let unknown = parameters.map({ String($0.key) }).sorted().first(where: { !known.contains($0) }) {
        throw Problem.invalidField(unknown, "unknown query parameter '\(unknown.prefix(40))'; known: \(known.sorted().joined(separator: ", "))")
    }
    do {
        return try KPIQuery.parse(
            from: parameters.get("from"), to: parameters.get("to"), groupBy: parameters.get("group_by"),
            recurrenceDays: parameters.get("recurrence_days"), now: now
        )
    } catch {
        throw Problem.invalidField(error.parameter, error.message)
    }
}
