import Foundation
import Synchronization
import TicketSyncClient

/// A clock the test sets by hand.
final class TestClock: WallClock {
    let millis: Mutex<UInt64>
    init(_ millis: UInt64) { self.millis = Mutex(millis) }
    func nowMillis() -> UInt64 { millis.withLock { $0 } }
    func advance(_ delta: UInt64) { millis.withLock { $0 += delta } }
}

/// A temporary folder removed when the value is dropped.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ticketsync-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}
