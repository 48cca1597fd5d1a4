public import TicketModel
internal import Foundation
internal import GRDB
internal import Synchronization

/// A station: one replica of the ticket database in a local SQLite file, usable with no network.
///
/// Every user action (``createTicket(_:)``, ``update(_:_:)``, ``comment(on:body:visibility:)``, …)
/// is one transaction: when the call returns, its operations are on disk (`synchronous=FULL`)
/// and in the outbox for the next sync. A station is safe to share between tasks; several
/// processes may open the same store (writes wait for each other up to 10 seconds).
public final class Station: Sendable {
    /// This station's replica id.
    public let replica: ReplicaID
    /// The agent acting at this station (the author of its operations).
    public let agent: Author
    /// The store's file path.
    public let path: String
    /// The model's limits for this station's own edits.
    public let limits: ModelLimits

    let database: DatabaseQueue
    let wallClock: any WallClock
    let observers = Mutex<[UInt64: AsyncStream<TicketChange>.Continuation]>([:])
    let nextObserver = Atomic<UInt64>(0)
    /// Live sync sessions waiting for local changes to push (see ``localCommits()``).
    let commitWaiters = Mutex<[UInt64: AsyncStream<Void>.Continuation]>([:])
    /// Fields-only ticket states this object read or wrote lately, checked against the store
    /// before use (see ``TicketCache``).
    let ticketCache = Mutex(TicketCache(capacity: 16_384, packedBudget: 64 << 20))
    /// Ticket rows remote batches changed and left to be written later (see ``PendingRows``).
    let pendingRows = Mutex(PendingRows())
    /// Which of the server's addresses (``ServerSettings/addresses``) the last session that got
    /// through used: the next session starts there.
    let preferredAddress = Mutex(0)

    private init(database: DatabaseQueue, path: String, replica: ReplicaID, agent: Author, wallClock: any WallClock) {
        self.database = database
        self.path = path
        self.replica = replica
        self.agent = agent
        self.wallClock = wallClock
        self.limits = ModelLimits()
    }

    /// Creates a new store at `path` with a fresh replica id, acting as `agent`.
    /// Refused if a store already exists there.
    public static func create(
        at path: String, agent: String, replica: ReplicaID = .random(), wallClock: any WallClock = SystemWallClock()
    ) throws(StationError) -> Station {
        if FileManager.default.fileExists(atPath: path) {
            throw StationError(.alreadyInitialized, "a station store already exists at \(path)")
        }
        guard !agent.isEmpty, agent.utf8.count <= ModelLimits().maxAuthorBytes else {
            throw StationError(.invalid, "the agent name must be 1-\(ModelLimits().maxAuthorBytes) bytes")
        }
        let agent = agent.precomposedStringWithCanonicalMapping
        let database = try openDatabase(path)
        try storeCall {
            try database.write { db in
                try Meta.set(.replica, replica.description, db)
                try Meta.set(.agent, agent, db)
                try Meta.set(.createdMillis, String(wallClock.nowMillis()), db)
            }
        }
        return Station(database: database, path: path, replica: replica, agent: .agent(agent), wallClock: wallClock)
    }

    /// Opens an existing store.
    public static func open(at path: String, wallClock: any WallClock = SystemWallClock()) throws(StationError) -> Station {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StationError(.store, "no station store at \(path); create one with 'ticketsync init'")
        }
        let database = try openDatabase(path)
        let (replica, agent) = try storeCall {
            try database.read { db in (try Meta.get(.replica, db), try Meta.get(.agent, db)) }
        }
        guard let replicaText = replica, let id = ReplicaID(hex: replicaText), let agent else {
            throw StationError(.store, "\(path) is not a complete station store (no replica id); create a new one")
        }
        return Station(database: database, path: path, replica: id, agent: .agent(agent), wallClock: wallClock)
    }

    private static func openDatabase(_ path: String) throws(StationError) -> DatabaseQueue {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // A 100,000-ticket store is some 200 MB; SQLite's default page cache (2 MB) makes
            // every batch re-read the ticket and index pages it touches through read(2). 64 MB of
            // cache and memory-mapped reads keep the hot pages at hand.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
            // Checkpoint every 8,192 WAL pages (32 MB) instead of 1,000: a batch rewrites many
            // of the pages the one before it wrote (B-tree interiors, bitmaps, ticket rows), and
            // a checkpoint copies each page once however many commits wrote it.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
        }
        return try storeCall {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            // Acknowledged must mean durable: FULL syncs the WAL on every commit. Set after
            // opening, because GRDB's WAL set-up switches to NORMAL after prepareDatabase runs.
            try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
            let migrator = StoreSchema.migrator
            if try queue.read({ try migrator.hasBeenSuperseded($0) }) {
                throw StationError(
                    .store, "the store at \(path) was written by a newer TicketSync; upgrade ticketsync to open it"
                )
            }
            try migrator.migrate(queue)
            return queue
        }
    }

    /// The store's `synchronous` setting (2 = FULL), for tests of the durability promise.
    public func synchronousSetting() throws(StationError) -> Int {
        try storeCall { try database.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 } }
    }

    /// Runs store work, turning database errors into ``StationError`` with code `store`.
    static func storeCall<T>(_ body: () throws -> T) throws(StationError) -> T {
        do {
            return try body()
        } catch let error as StationError {
            throw error
        } catch let error as TicketModelError {
            throw StationError(error)
        } catch let error as DatabaseError {
            let hint = error.resultCode == .SQLITE_FULL ? " (the disk is full)" : ""
            throw StationError(.store, "the station store failed: \(error.message ?? "\(error.resultCode)")\(hint)")
        } catch {
            throw StationError(.store, "the station store failed: \(error)")
        }
    }

    func storeCall<T>(_ body: () throws -> T) throws(StationError) -> T {
        try Self.storeCall(body)
    }
}
