import Foundation
import Synchronization
import Testing
import TicketModel
import TicketSyncServer
import TicketSyncServerPostgres
import TicketTestSupport

/// The pull cursor on PostgreSQL with writers on several nodes (several stores, each its own
/// connection pool, on one database): a reader never passes a transaction that is still open,
/// and every reader sees every operation exactly once, in one order (docs/cursor.md).
@Suite(.enabled(if: PostgresTestCluster.isAvailable)) struct PostgresCursorTests {
    /// Node A holds its append open after writing its rows; nodes B and C append meanwhile.
    /// While A is held no reader advances past what had committed before it, and B's and C's
    /// appends are not acknowledged; once A commits, readers on every node see everything once.
    @Test func aReaderNeverPassesAWriterThatIsStillOpen() async throws {
        let location = try await PostgresLocation()
        let nodes = [try await location.openPostgres(), try await location.openPostgres(), try await location.openPostgres()]
        var scripts = (0..<3).map { OperationScript(replica: ReplicaID(UInt64(0xD0 + $0))) }
        var stations: [StationRecord] = []
        for index in 0..<3 { stations.append(try await addBoundStation(nodes[index], "node-\(index)-station", replica: scripts[index].replica)) }
        let seed = [scripts[0].create(ticket(1), site: "A"), scripts[1].create(ticket(2), site: "A"), scripts[2].create(ticket(3), site: "A")]
        for index in 0..<3 { _ = try await nodes[index].append([seed[index]], from: stations[index], at: scripts[index].receivedMillis) }
        let before = try await readAll(nodes[1])
        #expect(before.count == 3)
        let received = scripts.map(\.receivedMillis).max()! + 60_000

        let held = (0..<5).map { _ in scripts[0].set(.priority, .text("high"), on: ticket(1)) }
        let others = [(0..<4).map { _ in scripts[1].next(.add(.tags, "b"), on: ticket(2)) }, (0..<4).map { _ in scripts[2].next(.add(.tags, "c"), on: ticket(3)) }]
        let (inside, insideContinuation) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
        let acknowledged = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            let stationA = stations[0], nodeA = nodes[0]
            group.addTask {
                _ = try await nodeA.append(
                    held, from: stationA, receivedMillis: received, maxDriftMillis: HybridLogicalClock.defaultMaxDriftMillis,
                    beforeCommit: {
                        insideContinuation.yield()
                        for await _ in release { return }
                    }
                )
            }
            for await _ in inside { break }
            for index in 1...2 {
                let node = nodes[index], station = stations[index], ops = others[index - 1]
                group.addTask {
                    _ = try await node.append(ops, from: station, at: received)
                    acknowledged.increment()
                }
            }
            // While A is open: readers on every node see only what committed before it.
            for round in 0..<30 {
                for node in nodes {
                    let entries = try await node.read(after: before.last!.cursor, limit: 100)
                    #expect(entries.isEmpty, "round \(round): a reader passed the open transaction: \(entries.map(\.cursor))")
                }
                #expect(acknowledged.value == 0, "an append was acknowledged past the held writer")
                try await Task.sleep(for: .milliseconds(10))
            }
            releaseContinuation.finish()
            try await group.waitForAll()
        }
        #expect(acknowledged.value == 2)
        let expected = Set((seed + held + others.flatMap { $0 }).map(\.id))
        var orders: [[String]] = []
        for node in nodes {
            for page in [1, 4, 100] {
                let entries = try await readAll(node, page: page)
                #expect(entries.count == expected.count && Set(entries.map(\.id)) == expected, "page \(page)")
                orders.append(entries.map(\.cursor))
            }
        }
        #expect(Set(orders).count == 1, "readers saw different orders")
        let digests = try await [nodes[0].digest(), nodes[1].digest(), nodes[2].digest()]
        #expect(Set(digests).count == 1)
        #expect(digests[0] == referenceDigest(seed + held + others.flatMap { $0 }))
    }

    /// Writers on three nodes and readers on each, all at once: every reader, following its
    /// cursor while the writers commit, ends with every accepted operation exactly once.
    @Test func readersFollowingConcurrentWritersSeeEveryOperationOnce() async throws {
        let location = try await PostgresLocation()
        let nodes = [try await location.openPostgres(), try await location.openPostgres(), try await location.openPostgres()]
        let writers = 6, appendsEach = 15
        var batches: [[[TicketOperation]]] = []
        var stations: [StationRecord] = []
        var received: UInt64 = 0
        for writer in 0..<writers {
            var script = OperationScript(replica: ReplicaID(UInt64(0x100 + writer)))
            stations.append(try await addBoundStation(nodes[writer % 3], "w\(writer)", replica: script.replica))
            var own: [[TicketOperation]] = [[script.create(ticket(UInt64(100 + writer)), site: "A")]]
            for round in 0..<appendsEach {
                own.append((0...(round % 4)).map { n in script.set(.priority, .text(n % 2 == 0 ? "low" : "high"), on: ticket(UInt64(100 + writer))) })
            }
            batches.append(own)
            received = max(received, script.receivedMillis)
        }
        let total = batches.flatMap { $0.flatMap { $0 } }
        let writersDone = Counter()
        let seen = try await withThrowingTaskGroup(of: [LogEntry]?.self) { group in
            for writer in 0..<writers {
                let node = nodes[writer % 3], station = stations[writer], own = batches[writer], at = received
                group.addTask {
                    for batch in own { _ = try await node.append(batch, from: station, at: at) }
                    writersDone.increment()
                    return nil
                }
            }
            for node in nodes {
                group.addTask {
                    var entries: [LogEntry] = []
                    var cursor: String?
                    // Bounded: stops once the writers are done and a read finds nothing new.
                    for _ in 0..<100_000 {
                        let done = writersDone.value == writers
                        let batch = try await node.read(after: cursor, limit: 7)
                        entries += batch
                        cursor = batch.last?.cursor ?? cursor
                        if batch.isEmpty {
                            if done { break }
                            try await Task.sleep(for: .milliseconds(2))
                        }
                    }
                    return entries
                }
            }
            var all: [[LogEntry]] = []
            for try await result in group { if let result { all.append(result) } }
            return all
        }
        #expect(seen.count == 3)
        for entries in seen {
            #expect(entries.count == total.count, "a reader saw \(entries.count) of \(total.count)")
            #expect(Set(entries.map(\.id)) == Set(total.map(\.id)))
            let positions = entries.map { Int64($0.cursor)! }
            #expect(positions == Array(1...Int64(total.count)), "positions are not 1...n in order")
        }
    }
}

/// A count shared between tasks.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .sequentiallyConsistent) }
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
}
