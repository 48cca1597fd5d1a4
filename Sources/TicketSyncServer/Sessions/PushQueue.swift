internal import Synchronization
package import TicketModel

/// The pushes one session has read but not yet made durable, between the session's reader and
/// its appender, so the reader keeps reading (and answering pings) while an append commits.
///
/// Bounded: when `capacity` pushes wait, ``put(_:)`` waits too, so the reader stops reading and
/// TCP pushes back on a station that sends faster than the store commits. ``takeAll()`` hands
/// the appender everything waiting at once, which it commits in one transaction.
package final class PushQueue: Sendable {
    package struct Push: Sendable {
        package var batch: UInt64
        package var operations: [TicketOperation]

        package init(batch: UInt64, operations: [TicketOperation]) {
            self.batch = batch
            self.operations = operations
        }
    }

    private struct State {
        var pushes: [Push] = []
        var consumer: CheckedContinuation<[Push]?, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    private let state = Mutex(State())
    package let capacity: Int

    package init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
    }

    /// Queues a push; waits while the queue is full. Returns false once the queue is finished.
    @discardableResult
    package func put(_ push: Push) async -> Bool {
        while true {
            enum Step: Sendable {
                case done(Bool)
                case handOver(CheckedContinuation<[Push]?, Never>, [Push])
                case wait
            }
            let step: Step = state.withLock { state in
                if state.finished { return .done(false) }
                if let consumer = state.consumer {
                    state.consumer = nil
                    let pushes = state.pushes + [push]
                    state.pushes = []
                    return .handOver(consumer, pushes)
                }
                if state.pushes.count < capacity {
                    state.pushes.append(push)
                    return .done(true)
                }
                return .wait
            }
            switch step {
            case .done(let queued):
                return queued
            case .handOver(let consumer, let pushes):
                consumer.resume(returning: pushes)
                return true
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow: Bool = state.withLock { state in
                            if state.finished || state.pushes.count < capacity { return true }
                            state.producers.append(continuation)
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    finish()
                }
            }
        }
    }

    /// Everything queued (at least one push), waiting for it if needed; nil once finished and empty.
    package func takeAll() async -> [Push]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[Push]?, Never>) in
                let (ready, producers): ([Push]??, [CheckedContinuation<Void, Never>]) = state.withLock { state in
                    if !state.pushes.isEmpty {
                        let pushes = state.pushes
                        state.pushes = []
                        let producers = state.producers
                        state.producers = []
                        return (.some(pushes), producers)
                    }
                    if state.finished { return (.some(nil), []) }
                    state.consumer = continuation
                    return (nil, [])
                }
                for producer in producers { producer.resume() }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }

    /// No more pushes: wakes everyone waiting. Pushes still queued are handed out first.
    package func finish() {
        let (consumer, producers): (CheckedContinuation<[Push]?, Never>?, [CheckedContinuation<Void, Never>]) = state.withLock {
            state in
            state.finished = true
            let consumer = state.consumer
            state.consumer = nil
            let producers = state.producers
            state.producers = []
            return (consumer, producers)
        }
        // A waiting consumer means the queue was empty.
        consumer?.resume(returning: nil)
        for producer in producers { producer.resume() }
    }
}
