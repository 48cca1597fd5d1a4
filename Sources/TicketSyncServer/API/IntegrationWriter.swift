internal import HTTPTypes
internal import TicketModel

/// Writes the HTTP API's edits as ordinary operations: each integration key has a replica of its
/// own (bound on first use, like a station's), and its operations go through the same
/// ``ServerStore/append(_:from:receivedMillis:maxDriftMillis:)`` a station push does — model
/// rules, scopes, server-owned fields — so they sync to every station in scope.
///
/// Sequence numbers: the next after what the store has decided for the replica, kept here
/// between calls; the actor serialises one node's writes. A second node writing with the same
/// key could pick the same number: the store then reports a duplicate (it already holds that id),
/// and the writer reloads the number and tries again, so no edit is ever lost as a "re-send".
actor IntegrationWriter {
    let store: any ServerStore
    let hub: LogHub
    let maxDriftMillis: UInt64
    let now: @Sendable () -> UInt64
    private var nextSequence: [ReplicaID: UInt64] = [:]
    private var clocks: [ReplicaID: HybridLogicalClock] = [:]

    init(store: any ServerStore, hub: LogHub, maxDriftMillis: UInt64, now: @escaping @Sendable () -> UInt64) {
        self.store = store
        self.hub = hub
        self.maxDriftMillis = maxDriftMillis
        self.now = now
    }

    /// Applies `edits` to `ticket` as `key`: `edits` gets the ticket's current state (nil if it
    /// does not exist) and returns the payloads to write, in order. Returns the ticket after them.
    func write(
        ticket: TicketID, as key: StationRecord,
        edits: @Sendable (TicketState?) throws(Problem) -> [Payload]
    ) async throws(Problem) -> Ticket {
        let key = try await bound(key)
        guard let replica = key.replica else { throw Problem(.internalServerError, "internal", "the key has no replica") }
        let author = Author(.integration, key.name)
        for _ in 0..<5 {
            let history = try await serverCall { () async throws(ServerError) in try await store.history(of: ticket) }
            var state = TicketState(id: ticket)
            for op in history { state.apply(op) }
            let existing = state.created == nil ? nil : state
            let payloads = try edits(existing)
            guard !payloads.isEmpty else { return state.view }

            var seq: UInt64
            if let known = nextSequence[replica] {
                seq = known
            } else {
                seq = try await serverCall { () async throws(ServerError) in try await store.decidedSequence(of: replica) } + 1
            }
            var clock = clocks[replica] ?? HybridLogicalClock()
            if let latest = state.updatedStamp?.timestamp, latest > clock.latest { clock = HybridLogicalClock(latest: latest) }
            let physical = now()
            var operations: [TicketOperation] = []
            for payload in payloads {
                do {
                    let op = try TicketOperation.local(
                        payload, on: ticket, by: author, replica: replica, seq: seq, clock: &clock, physicalMillis: physical,
                        limits: ModelLimits()
                    )
                    try state.checkReferences(op)
                    state.apply(op)
                    operations.append(op)
                    seq += 1
                } catch {
                    throw Self.problem(error, payload: payload, ticket: ticket, replica: replica)
                }
            }
            let result = try await serverCall { () async throws(ServerError) in
                try await store.append(operations, from: key, receivedMillis: physical, maxDriftMillis: maxDriftMillis)
            }
            if result.duplicates > 0 {
                // Another node used these numbers for this key: start again from what the store holds.
                nextSequence[replica] = nil
                clocks[replica] = clock
                continue
            }
            nextSequence[replica] = seq
            clocks[replica] = clock
            ServerMetrics.shared.operationsAccepted(result.accepted, source: "api")
            if result.accepted > 0 { hub.notify() }
            if let refused = result.rejected.first {
                let status: HTTPResponse.Status = refused.code.contains("scope") ? .forbidden : .unprocessableContent
                throw Problem(status, refused.code.replacingUnderscores, refused.message)
            }
            return state.view
        }
        throw Problem(.serviceUnavailable, "busy", "other nodes kept writing with this key at the same time; retry the request")
    }

    /// The key with its replica, binding a new one on first use.
    func bound(_ key: StationRecord) async throws(Problem) -> StationRecord {
        if key.replica != nil { return key }
        var key = key
        for _ in 0..<3 {
            let candidate = ReplicaID.random()
            let bound = try await serverCall { () async throws(ServerError) in try await store.bind(station: key.name, to: candidate) }
            if bound {
                key.replica = candidate
                return key
            }
            let records = try await serverCall { () async throws(ServerError) in try await store.stations() }
            if let replica = records.first(where: { $0.name == key.name })?.replica {
                key.replica = replica
                return key
            }
        }
        throw Problem(.serviceUnavailable, "busy", "could not give the key '\(key.name)' a replica; retry the request")
    }

    static func problem(_ error: TicketModelError, payload: Payload, ticket: TicketID, replica: ReplicaID) -> Problem {
        let field: String?
        switch payload {
        case .set(let key, _, _): field = key.name
        case .create(let fields):
            // Name the field at fault: the first whose value alone the model refuses.
            field = fields.keys.sorted().first { key in
                var clock = HybridLogicalClock()
                return (try? TicketOperation.local(
                    .set(key, fields[key]!, overwrites: nil), on: ticket, by: Author(.integration, "check"), replica: replica, seq: 1,
                    clock: &clock, physicalMillis: 1, limits: ModelLimits()
                )) == nil
            }?.name
        case .add(let set, _), .remove(let set, _, _): field = set.description
        case .comment: field = "body"
        default: field = nil
        }
        if error.code == .ticketNotFound { return .notFound(error.message) }
        if error.code == .serverOwnedField { return Problem(.forbidden, "server-owned-field", error.message, field: field) }
        return Problem(.unprocessableContent, error.code.description.replacingUnderscores, error.message, field: field)
    }
}

/// Runs a store call, turning its error into a problem.
func serverCall<T>(
    isolation: isolated (any Actor)? = #isolation, _ body: () async throws(ServerError) -> T
) async throws(Problem) -> T {
    do {
        return try await body()
    } catch {
        switch error.code {
        case .notFound: throw Problem.notFound(error.message)
        case .invalidArgument: throw Problem.badRequest(error.message)
        default: throw Problem(.serviceUnavailable, "store-unavailable", error.message)
        }
    }
}

extension String {
    /// `too_large` → `too-large`, for problem type URIs.
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
