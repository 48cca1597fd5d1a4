import Foundation

/// Runs a test body that blocks (it starts `ticketsync` processes and waits for them, or sleeps
/// between kills) on a thread of its own. A synchronous test body runs on the test process's
/// cooperative pool, which has two threads on a 2-core machine: two such bodies at once would
/// stall every asynchronous test in the process (their station sessions stop answering the
/// server's pings).
func offPool(_ body: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
