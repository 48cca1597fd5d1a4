internal import CoreMetrics
internal import CompressNIO
internal import Foundation
internal import HummingbirdWebSocket
public import Logging
internal import NIOCore
internal import NIOWebSocket
public import TicketModel
public import TicketSyncProtocol

/// Drives one station's session over an upgraded WebSocket: feeds frames to the
/// ``ServerSessionMachine``, does the storage work it asks for, and delivers the log.
///
/// Four tasks run until the reader ends: the reader (it decodes frames, queues pushes, answers
/// pings and takes credits, and never waits for storage), the appender (it makes queued pushes
/// durable, several in one commit, and answers them), the deliverer (catch-up, then live, from
/// log windows shared between sessions), and a watcher that ends the session when its
/// credential is revoked or the server shuts down.
public struct SyncSessionRunner: Sendable {
    /// Where operations and credentials live.
    public let store: any ServerStore
    /// Wakes deliverers when the log grows.
    public let hub: LogHub
    /// Live sessions by credential.
    public let registry: SessionRegistry
    /// The session limits.
    public let limits: SyncLimits
    /// This node's id.
    public let serverID: String
    /// The server's clock (milliseconds since the Unix epoch).
    public let now: @Sendable () -> UInt64
    /// Where sessions log.
    public let logger: Logger
    /// Log windows shared between the sessions.
    let windows: LogWindowCache

    /// Creates a runner.
    public init(
        store: any ServerStore, hub: LogHub, registry: SessionRegistry, limits: SyncLimits, serverID: String,
        now: @escaping @Sendable () -> UInt64, logger: Logger
    ) {
        self.store = store
        self.hub = hub
        self.registry = registry
        self.limits = limits
        self.serverID = serverID
        self.now = now
        self.logger = logger
        self.windows = LogWindowCache()
    }

    struct SessionEnded: Error {
        var error: SyncError?
    }

    /// Serves one session until it ends; never throws (every end is a close with a code).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async {
        let session = SessionContext(runner: self, outbound: outbound)
        var messages = inbound.messages(maxSize: limits.maxMessageBytes).makeAsyncIterator()
        var logger = self.logger
        do {
            // Handshake.
            guard let first = try await Self.next(&messages) else { return }
            let hello: ClientFrame.Hello
            switch await session.machine(try SyncCodec.decodeClient(first, limits: limits)) {
            case .authenticate(let frame): hello = frame
            case .close(let error): throw SessionEnded(error: error)
            default: throw SessionEnded(error: SyncError(.badMessage, "the first message must be a hello"))
            }
            let (grant, station) = try await authenticate(hello)
            logger[metadataKey: "ticketsync.station"] = .string(grant.station)
            logger[metadataKey: "ticketsync.replica"] = .string(hello.replica.description)
            guard case .open(let welcome, let cursor) = await session.authenticated(grant) else { return }
            try await session.send(welcome)
            logger.info("station connected", metadata: ["ticketsync.snapshot": .stringConvertible(grant.snapshot)])

            let (registration, ended) = registry.register(station: grant.station)
            let (wakeID, wakes) = hub.subscribe()
            defer {
                registry.unregister(registration)
                hub.unsubscribe(wakeID)
            }
            let scopes = station.scopes
            let replica = hello.replica
            let sessionLogger = logger
            let pushes = PushQueue(capacity: Self.queuedPushes)
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The deliverer, the appender and the revocation watcher end the session by
                // closing it, which ends the inbound stream the reader (this task) is waiting on.
                group.addTask {
                    do {
                        try await self.deliver(from: cursor, scopes: scopes, replica: replica, session: session, wakes: wakes)
                    } catch let error as SyncError {
                        await session.close(error)
                    } catch is CancellationError {
                    } catch {
                        sessionLogger.error("delivery failed", metadata: ["ticketsync.error": .string("\(error)")])
                        await session.close(SyncError(.internalError, "the server failed; reconnect later"))
                    }
                }
                group.addTask {
                    do {
                        try await self.appendPushes(pushes, session: session, station: station)
                    } catch is CancellationError {
                    } catch {
                        sessionLogger.error("push failed", metadata: ["ticketsync.error": .string("\(error)")])
                        await session.close(SyncError(.internalError, "the server failed; reconnect later"))
                    }
                }
                group.addTask {
                    for await error in ended {
                        await session.close(error)
                        return
                    }
                }
                defer {
                    pushes.finish()
                    group.cancelAll()
                }
                // The reader never waits for storage (only for a full push queue), so pings are
                // answered while the appender and the deliverer work.
                while let bytes = try await Self.next(&messages) {
                    try await self.handle(bytes, session: session, pushes: pushes)
                }
            }
        } catch let ended as SessionEnded {
            if let error = ended.error {
                logger.info("session closed", metadata: ["ticketsync.code": .string(error.code.rawValue)])
                await session.close(error)
            }
        } catch let error as SyncError {
            logger.info("session closed", metadata: ["ticketsync.code": .string(error.code.rawValue)])
            await session.close(error)
        } catch is CancellationError {
            await session.close(SyncError(.goingAway, "the server is shutting down; reconnect later"))
        } catch {
            logger.error("session failed", metadata: ["ticketsync.error": .string("\(error)")])
            await session.close(SyncError(.internalError, "the server failed; reconnect later"))
        }
    }

    /// Pushes read but not yet durable, per session, before the reader stops reading.
    static let queuedPushes = 16

    /// The next binary message, with transport errors mapped to protocol errors.
    static func next(_ messages: inout WebSocketInboundMessageStream.AsyncIterator) async throws -> [UInt8]? {
        do {
            guard let message = try await messages.next() else { return nil }
            switch message {
            case .binary(let buffer): return Array(buffer.readableBytesView)
            case .text: throw SyncError(.badMessage, "text messages are not part of the protocol; send binary Protocol Buffers")
            }
        } catch let error as SyncError {
            throw error
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw SyncError(.tooLarge, "a message inflates past the limit of \(SyncLimitsDescription.maxMessage)")
        } catch let error as CompressNIOError {
            throw SyncError(.badMessage, "a compressed message could not be inflated: \(error)")
        } catch let error as NIOWebSocketError where error == .invalidFrameLength {
            throw SyncError(.tooLarge, "a WebSocket frame is over the size limit")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // WSCore reports an over-long fragmented message with an internal close error.
            if "\(error)".contains("messageTooLarge") {
                throw SyncError(.tooLarge, "a message is over the limit of \(SyncLimitsDescription.maxMessage)")
            }
            throw SyncError(.badMessage, "the WebSocket stream failed: \(error)")
        }
    }

    /// Checks the Hello's credential. Binding the replica is a write, so it is done only on a
    /// credential's first session (or when it is bound to another replica, to say so); the
    /// record found by the secret's hash is the one the session then uses (scopes).
    func authenticate(_ hello: ClientFrame.Hello) async throws -> (ServerSessionMachine.Grant, StationRecord) {
        guard let station = try await store.station(tokenHash: StationToken.hash(hello.token)) else {
            throw SyncError(.unauthorized, "the credential is not known to this server; ask an operator for one ('ticketsyncd station add')")
        }
        if station.revoked {
            throw SyncError(.revoked, "the credential '\(station.name)' was revoked")
        }
        guard station.kind == .station else {
            throw SyncError(
                .unauthorized, "the credential '\(station.name)' is a \(station.kind) credential; a station needs one from 'ticketsyncd station add'"
            )
        }
        if station.replica != hello.replica, !(try await store.bind(station: station.name, to: hello.replica)) {
            throw SyncError(
                .replicaMismatch,
                "the credential '\(station.name)' belongs to another station (replica \(station.replica.map { "\($0)" } ?? "?")); ask for a new credential"
            )
        }
        let acked = try await store.decidedSequence(of: hello.replica)
        var snapshot = true
        if let cursor = hello.cursor, try await store.knows(cursor: cursor) { snapshot = false }
        let grant = ServerSessionMachine.Grant(
            station: station.name, scopes: station.scopes.map(\.description), ackedSeq: acked, snapshot: snapshot,
            cursor: hello.cursor
        )
        return (grant, station)
    }

    func handle(_ bytes: [UInt8], session: SessionContext, pushes: PushQueue) async throws {
        let frame = try SyncCodec.decodeClient(bytes, limits: limits)
        switch await session.machine(frame) {
        case .persist(let batch, let operations):
            await pushes.put(PushQueue.Push(batch: batch, operations: operations))
        case .send(let reply):
            try await session.send(reply)
        case .deliver:
            session.wakeDeliverer()
        case .close(let error):
            throw SessionEnded(error: error)
        case .none, .authenticate, .open:
            break
        }
    }

    /// Makes queued pushes durable, everything waiting in one append (one commit), and answers
    /// each in the order it came, once durable. Every PushResult carries the replica's decided
    /// sequence after the whole append, which is true for each of them.
    func appendPushes(_ pushes: PushQueue, session: SessionContext, station: StationRecord) async throws {
        while let waiting = await pushes.takeAll() {
            let operations = waiting.count == 1 ? waiting[0].operations : waiting.flatMap(\.operations)
            let started = ContinuousClock.now
            let result = try await store.append(
                operations, from: station, receivedMillis: now(), maxDriftMillis: limits.maxDriftMillis
            )
            ServerMetrics.shared.pushLatency.recordNanoseconds((ContinuousClock.now - started).wholeNanoseconds)
            ServerMetrics.shared.operationsAccepted(result.accepted, source: "station")
            if result.accepted > 0 { hub.appended(result.accepted) }
            var rejectedBySeq: [UInt64: ServerFrame.Rejection] = [:]
            for rejection in result.rejected {
                rejectedBySeq[rejection.seq] = .init(seq: rejection.seq, code: rejection.code, message: rejection.message)
            }
            for push in waiting {
                let rejected = rejectedBySeq.isEmpty ? [] : push.operations.compactMap { rejectedBySeq[$0.id.seq] }
                let frame = ServerFrame.PushResult(batch: push.batch, ackedSeq: result.decidedSequence, rejected: rejected)
                if case .send(let reply) = await session.persisted(frame) { try await session.send(reply) }
            }
        }
    }
}

/// The limits as people read them, for messages.
enum SyncLimitsDescription {
    static let maxMessage = "the session's max_message_bytes (see the Welcome)"
}
