internal import Synchronization

/// One read of the log, shared by every session that delivers from the same cursor.
///
/// Live sessions sit at the same cursor (the end of the log), and sessions catching up together
/// move through the same windows (a window's next cursor does not depend on the station), so
/// without sharing every append made each session read and decode the same entries again. Here
/// the first session to ask for a window reads it from the store; sessions asking meanwhile wait
/// for that read, and later ones take the kept result.
///
/// A window that came back shorter than its limit reached the end of the log, which may have
/// grown since: it is reused only while ``LogHub/generation`` is what it was before the read
/// started. A full window never changes (positions are given in commit order and never reused),
/// so it is kept until evicted. At most `maxEntries` entries are kept, oldest windows first out.
package final class LogWindowCache: Sendable {
    struct Key: Hashable, Sendable {
        var cursor: String?
        var limit: Int
    }

    struct Window: Sendable {
        var entries: [LogEntry]
        var generation: UInt64
        var full: Bool
        func serves(_ generation: UInt64) -> Bool { full || self.generation >= generation }
    }

    private enum Slot {
        case loading(waiters: [CheckedContinuation<Window?, Never>])
        case loaded(Window)
    }

    private struct State {
        var slots: [Key: Slot] = [:]
        var order: [Key] = []
        var entries = 0
    }

    private let state = Mutex(State())
    package let maxEntries: Int

    /// A cache keeping at most `maxEntries` decoded entries.
    package init(maxEntries: Int = 100_000) {
        self.maxEntries = maxEntries
    }

    /// The store's entries after `cursor` (at most `limit`), read once for every session that
    /// asks at the same time. `generation` is the hub's generation, taken before the caller
    /// decided to read.
    package func read(
        after cursor: String?, limit: Int, generation: UInt64, store: any ServerStore
    ) async throws(ServerError) -> [LogEntry] {
        let key = Key(cursor: cursor, limit: limit)
        while true {
            enum Next: Sendable {
                case hit([LogEntry])
                case wait
                case load
            }
            let next: Next = state.withLock { state in
                switch state.slots[key] {
                case .loaded(let window) where window.serves(generation): return .hit(window.entries)
                case .loading: return .wait
                case .loaded(let stale):
                    state.entries -= stale.entries.count
                    state.order.removeAll { $0 == key }
                    state.slots[key] = .loading(waiters: [])
                    return .load
                case nil:
                    state.slots[key] = .loading(waiters: [])
                    return .load
                }
            }
            switch next {
            case .hit(let entries):
                return entries
            case .wait:
                let window = await withCheckedContinuation { (continuation: CheckedContinuation<Window?, Never>) in
                    let waiting: Bool = state.withLock { state in
                        guard case .loading(var waiters) = state.slots[key] else { return false }
                        // Drop the slot's reference first: appending to a shared array copies
                        // it, and with a thousand sessions waiting for one read those copies
                        // were most of the server's work (perf, 1,000 live stations).
                        state.slots[key] = .loading(waiters: [])
                        waiters.append(continuation)
                        state.slots[key] = .loading(waiters: waiters)
                        return true
                    }
                    if !waiting { continuation.resume(returning: nil) }
                }
                // A window read before this caller's generation may miss entries: look again
                // (and read it afresh if it is still stale).
                if let window, window.serves(generation) { return window.entries }
            case .load:
                do {
                    let entries = try await store.read(after: cursor, limit: limit)
                    let window = Window(entries: entries, generation: generation, full: entries.count >= limit)
                    finish(key, with: window)
                    return entries
                } catch {
                    finish(key, with: nil)
                    throw error
                }
            }
        }
    }

    private func finish(_ key: Key, with window: Window?) {
        let waiters: [CheckedContinuation<Window?, Never>] = state.withLock { state in
            guard case .loading(let waiters) = state.slots[key] else { return [] }
            if let window {
                state.slots[key] = .loaded(window)
                state.order.append(key)
                state.entries += window.entries.count
                evict(&state)
            } else {
                state.slots[key] = nil
            }
            return waiters
        }
        // Waiters of a failed read (a cancelled session, a store error) retry on their own.
        for waiter in waiters { waiter.resume(returning: window) }
    }

    private func evict(_ state: inout State) {
        var dropped = 0
        while state.entries > maxEntries || state.order.count - dropped > 1_024, dropped < state.order.count - 1 {
            let key = state.order[dropped]
            dropped += 1
            if case .loaded(let window) = state.slots[key] {
                state.entries -= window.entries.count
                state.slots[key] = nil
            }
        }
        if dropped > 0 { state.order.removeFirst(dropped) }
    }

    /// Windows kept now, for tests.
    package var count: Int { state.withLock { $0.order.count } }
}
