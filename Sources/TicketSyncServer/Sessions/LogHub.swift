internal import Synchronization

/// Wakes live sessions when the log may have grown: after a local append, and on a timer (other
/// processes or nodes append too). A wake-up is only a hint; sessions always read the log.
public final class LogHub: Sendable {
    private let waiters = Mutex<[UInt64: AsyncStream<Void>.Continuation]>([:])
    private let next = Atomic<UInt64>(0)
    private let generations = Atomic<UInt64>(0)
    private let origin = ContinuousClock.now
    /// Nanoseconds from `origin` to the last ``appended()``; -1 for none.
    private let lastAppend = Atomic<Int64>(-1)

    /// Creates a hub with no sessions.
    public init() {}

    /// A stream that yields when the log may have grown (at most one pending wake-up).
    func subscribe() -> (id: UInt64, stream: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = next.add(1, ordering: .relaxed).newValue
        waiters.withLock { $0[id] = continuation }
        return (id, stream)
    }

    func unsubscribe(_ id: UInt64) {
        waiters.withLock { $0.removeValue(forKey: id) }?.finish()
    }

    /// Wakes every session. The generation grows first, so a session woken by this call never
    /// takes a shared log window read before it (see ``LogWindowCache``).
    public func notify() {
        generations.add(1, ordering: .sequentiallyConsistent)
        for continuation in waiters.withLock({ Array($0.values) }) { continuation.yield() }
    }

    /// Records that stations' or an integration's operations were just appended, then wakes
    /// every session. The SLA engine reads it to let such appends go first (see
    /// ``SLAEngine/Settings/appendQuietMillis``).
    public func appended() {
        let elapsed = ContinuousClock.now - origin
        lastAppend.store(elapsed.components.seconds &* 1_000_000_000 &+ elapsed.components.attoseconds / 1_000_000_000, ordering: .relaxed)
        notify()
    }

    /// How long ago the last ``appended()`` was (nil: never).
    package var sinceLastAppend: Duration? {
        let last = lastAppend.load(ordering: .relaxed)
        guard last >= 0 else { return nil }
        return (ContinuousClock.now - origin) - .nanoseconds(last)
    }

    /// How many times the log may have grown: a window read at a lower generation that reached
    /// the end of the log may be missing entries.
    package var generation: UInt64 { generations.load(ordering: .sequentiallyConsistent) }

    /// Live sessions.
    public var count: Int { waiters.withLock { $0.count } }
}
