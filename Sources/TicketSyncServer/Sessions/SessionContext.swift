internal import HummingbirdWebSocket
internal import NIOCore
internal import NIOWebSocket
internal import Synchronization
internal import TicketSyncProtocol

/// The state one session's tasks share: the machine (behind a lock), the socket writer, and the
/// deliverer's credit wake-up.
final class SessionContext: Sendable {
    private let state: Mutex<ServerSessionMachine>
    private let outbound: WebSocketOutboundWriter
    private let runner: SyncSessionRunner
    let credits: AsyncStream<Void>
    private let creditContinuation: AsyncStream<Void>.Continuation
    private let closed = Atomic<Bool>(false)

    init(runner: SyncSessionRunner, outbound: WebSocketOutboundWriter) {
        self.runner = runner
        self.outbound = outbound
        self.state = Mutex(ServerSessionMachine(limits: runner.limits, serverID: runner.serverID))
        (credits, creditContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func machine(_ frame: ClientFrame) async -> ServerSessionMachine.Action {
        let now = runner.now()
        return state.withLock { $0.receive(frame, serverMillis: now) }
    }

    func authenticated(_ grant: ServerSessionMachine.Grant) async -> ServerSessionMachine.Action {
        let now = runner.now()
        return state.withLock { $0.authenticated(grant, serverMillis: now) }
    }

    func persisted(_ result: ServerFrame.PushResult) async -> ServerSessionMachine.Action {
        state.withLock { $0.persisted(result) }
    }

    func takeCredit() -> Bool { state.withLock { $0.takeCredit() } }

    func wakeDeliverer() { creditContinuation.yield() }

    func send(_ frame: ServerFrame) async throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeBytes(SyncCodec.encode(frame))
        try await outbound.write(.binary(buffer))
    }

    /// Sends the error and closes with its code (once).
    func close(_ error: SyncError) async {
        _ = state.withLock { $0.fail(error) }
        guard !closed.exchange(true, ordering: .relaxed) else { return }
        try? await send(.error(error))
        try? await outbound.close(WebSocketErrorCode(codeNumber: Int(error.code.closeCode)), reason: String(error.message.prefix(120)))
    }
}
