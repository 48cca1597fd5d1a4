internal import HTTPTypes
internal import TicketModel

/// Writes the HTTP API's edits as ordinary operations: each integration key has a replica of its
/// own (bound on first use, like a station's), and its operations go through the same
/// ``ServerStore/append(_:from:receivedMillis:maxDriftMillis:)`` a station push does — model
/// rules, scopes, server-owned fields — so they sync to every station in scope.
///
/// Group commit: requests that arrive while an append is in flight wait for the next one and
/// then go together, one append (one transaction, one fsync) per key; each request is answered
/// once its operations are durable. Every payload is its own operation: the store may refuse one
/// (say, out of scope) while the others of the request stand, and the answer names the refusal.
///
/// Sequence numbers: the next after what the store has decided for the replica, kept here
/// between batches; the actor serialises one node's writes. A second node writing with the same
/// key could pick the same number: the store then reports a duplicate (it already holds that id),
/// and the writer reloads the number and makes the batch again, so no edit is ever lost as a
/// "re-send".
actor IntegrationWriter {
    typealias Edits = @Sendable (TicketState?) throws(Problem) -> [Payload]

    struct Request {
        var ticket: TicketID
        var key: StationRecord
        var edits: Edits
        var attempts = 0
        var reply: CheckedContinuation<Result<Ticket, Problem>, Never>
    }

    let store: any ServerStore
    let hub: LogHub
    let maxDriftMillis: UInt64
    let now: @Sendable () -> UInt64
    private var nextSequence: [ReplicaID: UInt64] = [:]
    private var clocks: [ReplicaID: HybridLogicalClock] = [:]
    private var replicas: [String: ReplicaID] = [:]
    private var queue: [Request] = []
    private var draining = false

    /// The most requests one batch takes.
    static let maxBatch = 512

    init(store: any ServerStore, hub: LogHub, maxDriftMillis: UInt64, now: @escaping @Sendable () -> UInt64) {
        self.store = store
        self.hub = hub
        self.maxDriftMillis = maxDriftMillis
        self.now = now
    }

    /// Applies `edits` to `ticket` as `key`: `edits` gets the ticket's current state (nil if it
    /// does not exist) and returns the payloads to write, in order. Returns the ticket after them,
    /// once they are durable.
    func write(ticket: TicketID, as key: StationRecord, edits: @escaping Edits) async throws(Problem) -> Ticket {
        let key = try await bound(key)
        let result = await withCheckedContinuation { (reply: CheckedContinuation<Result<Ticket, Problem>, Never>) in
            queue.append(Request(ticket: ticket, key: key, edits: edits, reply: reply))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
        return try result.get()
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(Self.maxBatch))
            queue.removeFirst(batch.count)
            var byKey: [String: [Request]] = [:]
            for request in batch { byKey[request.key.name, default: []].append(request) }
            for requests in byKey.values { await commit(requests) }
        }
        draining = false
    }

    /// Makes the operations of `requests` (all of one key), appends them in one transaction, and answers each.
    private func commit(_ requests: [Request]) async {
        let key = requests[0].key
        guard let replica = key.replica else {
            for request in requests { request.reply.resume(returning: .failure(Problem(.internalServerError, "internal", "the key has no replica"))) }
            return
        }
        let author = Author(.integration, key.name)
        var states: [TicketID: TicketState] = [:]
        var seq: UInt64
        do throws(Problem) {
            if let known = nextSequence[replica] {
                seq = known
            } else {
                seq = try await serverCall { () async throws(ServerError) in try await store.decidedSequence(of: replica) } + 1
            }
        } catch {
            for request in requests { request.reply.resume(returning: .failure(error)) }
            return
        }
        var clock = clocks[replica] ?? HybridLogicalClock()
        let physical = now()
        var operations: [TicketOperation] = []
        var made: [(request: Request, seqs: ClosedRange<UInt64>?, view: Ticket)] = []
        for request in requests {
            do throws(Problem) {
                var state: TicketState
                if let known = states[request.ticket] {
                    state = known
                } else {
                    let history = try await serverCall { () async throws(ServerError) in try await store.history(of: request.ticket) }
                    state = TicketState.replaying(history, of: request.ticket)
                }
                let payloads = try request.edits(state.created == nil ? nil : state)
                if let latest = state.updatedStamp?.timestamp, latest > clock.latest { clock = HybridLogicalClock(latest: latest) }
                var mine: [TicketOperation] = []
                var scratch = clock
                for payload in payloads {
                    do throws(TicketModelError) {
                        let op = try TicketOperation.local(
                            payload, on: request.ticket, by: author, replica: replica, seq: seq + UInt64(mine.count), clock: &scratch,
                            physicalMillis: physical, limits: ModelLimits()
                        )
                        try state.checkReferences(op)
                        state.apply(op)
                        mine.append(op)
                    } catch {
                        throw Self.problem(error, payload: payload, ticket: request.ticket, replica: replica)
                    }
                }
                clock = scratch
                states[request.ticket] = state
                operations += mine
                made.append((request, mine.isEmpty ? nil : seq...(seq + UInt64(mine.count) - 1), state.view))
                seq += UInt64(mine.count)
            } catch {
                request.reply.resume(returning: .failure(error))
            }
        }
        guard !operations.isEmpty else {
            for entry in made { entry.request.reply.resume(returning: .success(entry.view)) }
            return
        }
        let result: AppendResult
        do throws(Problem) {
            result = try await serverCall { () async throws(ServerError) in
                try await store.append(operations, from: key, receivedMillis: physical, maxDriftMillis: maxDriftMillis)
            }
        } catch {
            // Unknown whether it committed: start numbering again from what the store decided.
            nextSequence[replica] = nil
            for entry in made { entry.request.reply.resume(returning: .failure(error)) }
            return
        }
        clocks[replica] = clock
        if result.duplicates > 0 {
            // Another node used these numbers for this key: make the whole batch again, numbered
            // from what the store holds (a request that keeps colliding gives up).
            nextSequence[replica] = nil
            for entry in made {
                var request = entry.request
                request.attempts += 1
                if request.attempts >= 5 {
                    request.reply.resume(returning: .failure(Problem(.serviceUnavailable, "busy", "other nodes kept writing with this key at the same time; retry the request")))
                } else {
                    queue.append(request)
                }
            }
            return
        }
        nextSequence[replica] = seq
        ServerMetrics.shared.operationsAccepted(result.accepted, source: "api")
        if result.accepted > 0 { hub.notify() }
        var refused: [UInt64: (code: String, message: String)] = [:]
        for rejection in result.rejected { refused[rejection.seq] = (rejection.code, rejection.message) }
        for entry in made {
            if let seqs = entry.seqs, let first = seqs.first(where: { refused[$0] != nil }), let reason = refused[first] {
                let status: HTTPResponse.Status = reason.code.contains("scope") ? .forbidden : .unprocessableContent
                entry.request.reply.resume(returning: .failure(Problem(status, reason.code.replacingUnderscores, reason.message)))
            } else {
                entry.request.reply.resume(returning: .success(entry.view))
            }
        }
    }

    /// The key with its replica, binding a new one on first use.
    func bound(_ key: StationRecord) async throws(Problem) -> StationRecord {
        var key = key
        if let replica = key.replica ?? replicas[key.name] {
            key.replica = replica
            return key
        }
        for _ in 0..<3 {
            let candidate = ReplicaID.random()
            let bound = try await serverCall { () async throws(ServerError) in try await store.bind(station: key.name, to: candidate) }
            if bound {
                key.replica = candidate
                replicas[key.name] = candidate
                return key
            }
            let records = try await serverCall { () async throws(ServerError) in try await store.stations() }
            if let replica = records.first(where: { $0.name == key.name })?.replica {
                key.replica = replica
                replicas[key.name] = replica
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
