internal import Synchronization

/// Wake-ups for live sync sessions: a user action that made operations (so the outbox grew)
/// wakes every session waiting here, which then pushes without waiting for a reconnect.
extension Station {
    /// A stream that yields after each local commit that made operations (at most one pending
    /// wake-up), and a token to pass to ``stopWaitingForCommits(_:)``. Commits made by another
    /// process on the same store do not wake it.
    func localCommits() -> (id: UInt64, stream: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = nextObserver.add(1, ordering: .relaxed).newValue
        commitWaiters.withLock { $0[id] = continuation }
        return (id, stream)
    }

    /// Ends a stream from ``localCommits()``.
    func stopWaitingForCommits(_ id: UInt64) {
        commitWaiters.withLock { $0.removeValue(forKey: id) }?.finish()
    }

    func wakeCommitWaiters() {
        for continuation in commitWaiters.withLock({ Array($0.values) }) { continuation.yield() }
    }
}
