internal import Foundation
internal import GRDB
internal import TicketModel

/// Which operation ids the log holds, as bitmaps: table `seen_ops` has one row per replica and
/// block of ``blockSize`` sequence numbers, bit `seq % blockSize` set when the operation is in
/// `operations`. This is how a batch applied twice changes nothing.
///
/// It replaces a unique index on `operations (replica, seq)`, which every remote batch wrote a
/// thousand times at a dozen places and which cost as much as inserting the operations did
/// (perf, issue 3). A batch of 1,000 operations from a few replicas reads and rewrites a few
/// 512-byte blocks instead. It is exact, whatever order operations arrive in and whatever gaps
/// scopes leave. It is written in the same transaction as the log, removals clear their bits,
/// and ``Station/rebuildTickets()`` recomputes it from the log.
struct SeenOperations {
    static let blockSize: UInt64 = 4096

    struct Block: Hashable {
        var replica: ReplicaID
        var number: UInt64
    }

    private let db: Database
    /// The blocks read in this transaction, by position in `bits`.
    private var positions: [Block: Int] = [:]
    private var bits: [[UInt8]] = []
    private var changed: [Bool] = []
    /// The block used last: a batch's operations come in runs of one replica.
    private var last: (block: Block, position: Int)?

    init(_ db: Database) {
        self.db = db
    }

    /// Records that the log holds the operation; false if it already did.
    mutating func insert(_ id: OperationID) throws -> Bool {
        let (block, byte, bit) = Self.place(id)
        let position = try position(of: block)
        if bits[position][byte] & bit != 0 { return false }
        bits[position][byte] |= bit
        changed[position] = true
        return true
    }

    /// Records that the operation left the log.
    mutating func remove(_ id: OperationID) throws {
        let (block, byte, bit) = Self.place(id)
        let position = try position(of: block)
        bits[position][byte] &= ~bit
        changed[position] = true
    }

    /// Writes the changed blocks; call before the transaction commits.
    mutating func save() throws {
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO seen_ops (replica, block, bits) VALUES (?, ?, ?)")
        for (block, position) in positions where changed[position] {
            try statement.execute(arguments: [Int64(bitPattern: block.replica.rawValue), Int64(bitPattern: block.number), Data(bits[position])])
            changed[position] = false
        }
    }

    /// Recomputes every block from the log.
    static func rebuild(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM seen_ops")
        var seen = SeenOperations(db)
        let statement = try RawStatement(db, sql: "SELECT replica, seq FROM operations")
        try statement.forEach { columns in
            let id = OperationID(replica: ReplicaID(UInt64(bitPattern: columns.int64(0))), seq: UInt64(bitPattern: columns.int64(1)))
            _ = try seen.insert(id)
        }
        try seen.save()
    }

    private static func place(_ id: OperationID) -> (Block, Int, UInt8) {
        let offset = id.seq % blockSize
        return (Block(replica: id.replica, number: id.seq / blockSize), Int(offset / 8), UInt8(1) << UInt8(offset % 8))
    }

    private mutating func position(of block: Block) throws -> Int {
        if let last, last.block == block { return last.position }
        if let position = positions[block] {
            last = (block, position)
            return position
        }
        let stored = try Data.fetchOne(
            db.cachedStatement(sql: "SELECT bits FROM seen_ops WHERE replica = ? AND block = ?"),
            arguments: [Int64(bitPattern: block.replica.rawValue), Int64(bitPattern: block.number)]
        )
        let size = Int(Self.blockSize / 8)
        guard stored == nil || stored!.count == size else {
            throw StationError(.store, "the seen-operations block \(block.number) of replica \(block.replica) is damaged; run 'ticketsync repair'")
        }
        bits.append(stored.map { [UInt8]($0) } ?? Array(repeating: 0, count: size))
        changed.append(false)
        positions[block] = bits.count - 1
        last = (block, bits.count - 1)
        return bits.count - 1
    }
}
