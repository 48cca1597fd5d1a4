internal import Synchronization

/// Wakes live sessions when the log may have grown: after a local append, and on a timer (other
/// processes or nodes append too). A wake-up is only a hint; sessions always read the log.
public final class LogHub: Sendable {
    private let waiters = Mutex<[UInt64: AsyncStream<Void>.Continuation]>([:])
    private let next = Atomic<UInt64>(0)
    private let generations = Atomic<UInt64>(0)
    private let origin = ContinuousClock.now
    /// Nanoseconds from `origin` to the last ``appended(_:)`` and to the one before; -1 for none.
    private let lastAppend = Atomic<Int64>(-1)
    private let previousAppend = Atomic<Int64>(-1)
    private let lastAppendSize = Atomic<Int>(0)

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

    /// Records that `operations` pushed by a station were just appended, then wakes
    /// every session. The SLA engine reads it to let such appends go first (see
    /// ``SLAEngine/Settings/appendQuietMillis``).
    public func appended(_ operations: Int) {
        lastAppendSize.store(operations, ordering: .relaxed)
        let now = (ContinuousClock.now - origin).wholeNanoseconds
        previousAppend.store(lastAppend.exchange(now, ordering: .relaxed), ordering: .relaxed)
        notify()
    }

    /// How long ago the last ``appended(_:)`` was, how long before it the one before came (nil
    /// for the first), and how many operations it appended.
    package var appendPace: (sinceLast: Duration, gap: Duration?, size: Int)? {
        let last = lastAppend.load(ordering: .relaxed)
        let previous = previousAppend.load(ordering: .relaxed)
        guard last >= 0 else { return nil }
        let gap: Duration? = previous >= 0 ? .nanoseconds(max(0, last - previous)) : nil
        return ((ContinuousClock.now - origin) - .nanoseconds(last), gap, lastAppendSize.load(ordering: .relaxed))
    }

    /// How many times the log may have grown: a window read at a lower generation that reached
    /// the end of the log may be missing entries.
    package var generation: UInt64 { generations.load(ordering: .sequentiallyConsistent) }

    /// Live sessions.
    public var count: Int { waiters.withLock { $0.count } }
}

extension Duration {
    /// The duration in whole nanoseconds (as metrics and atomics take it).
    var wholeNanoseconds: Int64 {
        components.seconds &* 1_000_000_000 &+ components.attoseconds / 1_000_000_000
    }
}
