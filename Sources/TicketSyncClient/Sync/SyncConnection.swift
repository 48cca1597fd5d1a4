internal import Foundation
internal import HTTPTypes
internal import NIOWebSocket
internal import Logging
internal import NIOCore
internal import NIOSSL
internal import Synchronization
public import TicketModel
public import TicketSyncProtocol
internal import WSClient
internal import WSCompression

/// One sync session with a server: hello, push the outbox, apply deliveries, until caught up
/// (``Mode/once``) or until cancelled (``Mode/live``).
struct SyncConnection {
    enum Mode { case once, live }

    let station: Station
    let settings: ServerSettings
    let limits: SyncLimits
    let mode: Mode
    let progress: @Sendable (SyncProgress) -> Void
    let onChange: @Sendable ([TicketOperation]) -> Void
    /// Called once the server has welcomed the session.
    var onWelcome: @Sendable () -> Void = {}
    /// Set once the server has welcomed the session (the address works), whatever happens after.
    private let welcome = WelcomeFlag()

    /// Whether the server welcomed the session.
    var gotThrough: Bool { welcome.value.load(ordering: .relaxed) }

    /// How many pushes may wait for their result at once.
    static let pushPipeline = 4
    /// Deliver messages the station accepts before it returns credit.
    static let window = 8

    var url: String {
        var url = settings.url
        if !url.hasSuffix(SyncVersion.path) {
            while url.hasSuffix("/") { url.removeLast() }
            url += SyncVersion.path
        }
        return url
    }

    func tlsConfiguration() async throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        // The station closes its channel only after the WebSocket close handshake (or a failure),
        // when nothing is left to read: waiting NIOSSL's default 5 s for the server's TLS
        // close_notify protects nothing then, and made about one round in four take 5 s longer.
        tls.shutdownTimeout = .milliseconds(250)
        if let pin = settings.pin {
            guard let components = URLComponents(string: url), let host = components.host else {
                throw StationError(.invalid, "'\(url)' is not a server URL like wss://HOST:PORT")
            }
            let root = try await PinnedCertificate.trustRoot(
                host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: components.port ?? 443,
                serverName: try Self.tlsHostname(url: url), pin: pin
            )
            tls.trustRoots = .certificates([root])
        } else if let caFile = settings.caFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw StationError(.store, "cannot read the CA file \(caFile): \(error)")
            }
        }
        return tls
    }

    /// Runs the session; returns the report, or throws a ``SyncError`` (from the server) or the
    /// transport's error.
    func run() async throws -> SyncReport {
        let state = SyncState()
        var configuration = WebSocketClientConfiguration(
            maxFrameSize: limits.maxMessageBytes,
            additionalHeaders: [.secWebSocketProtocol: SyncVersion.subprotocol],
            extensions: [.perMessageDeflate(maxDecompressedFrameSize: limits.maxMessageBytes)],
            autoPing: .enabled(timePeriod: .seconds(30))
        )
        configuration.sniHostname = try Self.tlsHostname(url: url)
        var logger = Logger(label: "ticketsync.sync")
        logger.logLevel = .critical
        let tls = try await tlsConfiguration()
        let closeFrame = try await WebSocketClient.connect(
            url: url, configuration: configuration, tlsConfiguration: tls, logger: logger
        ) { inbound, outbound, _ in
            try await self.session(inbound: inbound, outbound: outbound, state: state)
        }
        if let error = state.serverError { throw error }
        if let closeFrame, closeFrame.closeCode != .normalClosure, !state.finished {
            throw SyncError(.internalError, "the server closed the session (\(closeFrame.closeCode)): \(closeFrame.reason ?? "")")
        }
        if mode == .once, !state.finished {
            throw SyncError(.goingAway, "the connection to the server ended before the sync round finished; run it again")
        }
        return state.report
    }

    /// The name TLS checks the certificate against. TLS cannot send an IP address as the server
    /// name, so a loopback address is checked as `localhost` (which the development certificate
    /// names); other IP addresses are refused with advice.
    static func tlsHostname(url: String) throws(StationError) -> String? {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw StationError(.invalid, "'\(url)' is not a server URL like wss://HOST:PORT")
        }
        guard components.scheme == "wss" else {
            throw StationError(.invalid, "'\(url)' must start with wss:// (TicketSync speaks only TLS)")
        }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if ["127.0.0.1", "::1"].contains(bare) { return "localhost" }
        let isIPv4 = bare.split(separator: ".", omittingEmptySubsequences: false).count == 4
            && bare.split(separator: ".").allSatisfy { UInt8($0) != nil }
        if isIPv4 || bare.contains(":") {
            throw StationError(.invalid, "'\(host)' is an IP address; TLS needs the server's host name (as in its certificate)")
        }
        return nil
    }

    private func send(_ frame: ClientFrame, _ outbound: WebSocketOutboundWriter) async throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeBytes(SyncCodec.encode(frame))
        try await outbound.write(.binary(buffer))
    }

    /// What the session's loop reacts to: a message the reader task read, the end of the
    /// inbound stream, or (live) a local commit.
    enum Event: Sendable {
        /// A server message, decoded by the reader (so decoding overlaps applying the previous one).
        case frame(ServerFrame)
        /// A message that is not a valid server message.
        case badMessage(SyncError)
        case inboundEnded
        case inboundFailed(any Error)
        case localCommit
    }

    /// The session. A reader task reads the server's messages as they come (which also answers
    /// the server's pings, even while this loop applies a large Deliver to the store) and hands
    /// them to this loop; in live mode a second task wakes the loop on every local commit, so
    /// local changes are pushed at once. The buffer between them is bounded by the protocol:
    /// at most ``window`` Delivers and ``pushPipeline`` PushResults are ever outstanding.
    private func session(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, state: SyncState) async throws {
        let commits = mode == .live ? station.localCommits() : nil
        defer { if let commits { station.stopWaitingForCommits(commits.id) } }
        let toPush = try station.outboxCount()
        var storedCursor = try station.cursor()
        try await send(
            .hello(
                .init(
                    token: settings.token, replica: station.replica, cursor: storedCursor,
                    clientMillis: station.wallClock.nowMillis(), window: Self.window, clientName: "ticketsync/1"
                )
            ),
            outbound
        )
        let (events, sink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        let maxMessageBytes = limits.maxMessageBytes
        let clientLimits = limits
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var messages = inbound.messages(maxSize: maxMessageBytes).makeAsyncIterator()
                do {
                    while let message = try await messages.next() {
                        guard case .binary(let buffer) = message else {
                            sink.yield(.badMessage(SyncError(.badMessage, "the server sent a text message")))
                            continue
                        }
                        do throws(SyncError) {
                            let frame = try SyncCodec.decodeServer(Array(buffer.readableBytesView), limits: clientLimits)
                            if case .error(let error) = frame { state.announced.withLock { $0 = error } }
                            sink.yield(.frame(frame))
                        } catch {
                            sink.yield(.badMessage(error))
                        }
                    }
                    sink.yield(.inboundEnded)
                } catch {
                    sink.yield(.inboundFailed(error))
                }
                sink.finish()
            }
            if let commits {
                group.addTask {
                    for await _ in commits.stream { sink.yield(.localCommit) }
                }
            }
            defer {
                sink.finish()
                group.cancelAll()
            }
            var sessionLimits = limits
            var welcomed = false
            var lastSent: UInt64 = 0
            var inFlight = 0
            var batch: UInt64 = 0
            var caughtUp = false

            func pushMore() async throws {
                guard welcomed else { return }
                while inFlight < Self.pushPipeline {
                    let operations = try station.outbox(after: lastSent, limit: min(1000, sessionLimits.maxOperationsPerBatch))
                    guard let last = operations.last else { return }
                    batch += 1
                    try await send(.push(batch: batch, operations: operations), outbound)
                    lastSent = last.id.seq
                    inFlight += 1
                }
            }

            var iterator = events.makeAsyncIterator()
            while let event = await iterator.next() {
                let frame: ServerFrame
                switch event {
                case .frame(let decoded):
                    frame = decoded
                case .badMessage(let error):
                    throw error
                case .localCommit:
                    do {
                        try await pushMore()
                    } catch let error as StationError {
                        throw error
                    } catch {
                        return try await drain(&iterator, state: state, after: error)
                    }
                    continue
                case .inboundEnded:
                    return
                case .inboundFailed(let error):
                    if state.serverError != nil { return }
                    throw error
                }
                do {
                    switch frame {
                    case .welcome(let welcome):
                        sessionLimits.maxOperationsPerBatch = max(1, welcome.limits.maxOperationsPerBatch)
                        state.report.snapshot = welcome.snapshot
                        state.report.clockOffsetMillis = Int64(bitPattern: welcome.serverMillis &- station.wallClock.nowMillis())
                        try station.acknowledge(upTo: welcome.ackedSeq)
                        lastSent = welcome.ackedSeq
                        welcomed = true
                        self.welcome.value.store(true, ordering: .relaxed)
                        onWelcome()
                        try await pushMore()
                    case .pushResult(let result):
                        inFlight -= 1
                        try station.discardRejected(result.rejected.map(\.seq))
                        let acknowledged = try station.acknowledgeCounting(upTo: result.ackedSeq)
                        state.report.rejected += result.rejected.count
                        state.report.pushed += acknowledged
                        for rejection in result.rejected.prefix(max(0, 10 - state.report.rejections.count)) {
                            state.report.rejections.append("operation \(rejection.seq): \(rejection.code): \(rejection.message)")
                        }
                        try await pushMore()
                    case .deliver(let operations, let cursor, let isCaughtUp):
                        if !operations.isEmpty || cursor != storedCursor {
                            let result = try station.applyRemote(operations, cursor: cursor)
                            storedCursor = cursor
                            state.report.received += result.applied
                            if result.applied > 0 { onChange(operations) }
                        }
                        caughtUp = isCaughtUp
                        try await send(.credit(deliveries: 1), outbound)
                    case .scopeChange(let removed):
                        try station.forget(removed)
                        state.report.removedTickets += removed.count
                    case .pong:
                        break
                    case .error(let error):
                        state.serverError = error
                    }
                } catch let error as SyncError {
                    throw error
                } catch let error as StationError {
                    throw error
                } catch {
                    // A write failed: the server has most likely closed the session; report its reason.
                    return try await drain(&iterator, state: state, after: error)
                }
                progress(SyncProgress(pushed: state.report.pushed, toPush: toPush, received: state.report.received))
                if mode == .once, caughtUp, inFlight == 0, try station.outbox(after: lastSent, limit: 1).isEmpty {
                    // The server may have ended the session while this loop was still applying
                    // (its writes to a closing connection are dropped): its reason wins.
                    if let error = state.announced.withLock({ $0 }) { throw error }
                    state.finished = true
                    try await outbound.close(.normalClosure, reason: "sync complete")
                    // Let the reader see the server's close frame rather than cancelling it:
                    // a cancelled read closes the TLS channel from this side, which then waits
                    // for NIOSSL's shutdown timeout (5 s) before the round returns.
                    while let event = await iterator.next() {
                        if case .inboundEnded = event { break }
                        if case .inboundFailed = event { break }
                    }
                    // An Error the server sent before it saw our close (a revocation, say) may
                    // have been read only now: it still wins over "complete".
                    if let error = state.announced.withLock({ $0 }) { throw error }
                    return
                }
            }
        }
    }

    /// After a failed write: reads what the server still sent (its Error message, then the close
    /// frame) so that the caller reports the server's reason instead of the write's failure;
    /// rethrows the write's error when the server gave none.
    private func drain(
        _ events: inout AsyncStream<Event>.AsyncIterator, state: SyncState, after failure: any Error
    ) async throws {
        while let event = await events.next() {
            switch event {
            case .frame(.error(let error)):
                state.serverError = error
            case .inboundEnded:
                // The close frame, if any, is what `run` reports.
                if state.serverError == nil { state.closedByServer = true }
                return
            case .frame, .badMessage, .inboundFailed, .localCommit:
                continue
            }
        }
        if state.serverError == nil && !state.closedByServer { throw failure }
    }
}

/// Whether a session got as far as the server's welcome (shared by the copies of its connection).
final class WelcomeFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// What the session tasks record for the caller.
final class SyncState: @unchecked Sendable {
    /// The Error message the reader task has read, before the session's loop gets to it.
    let announced = Mutex<SyncError?>(nil)
    // Only the session's own task writes these; the caller reads them after the session ended.
    var report = SyncReport()
    var serverError: SyncError?
    var finished = false
    /// The inbound stream ended after a failed write (the close frame tells why).
    var closedByServer = false
}
