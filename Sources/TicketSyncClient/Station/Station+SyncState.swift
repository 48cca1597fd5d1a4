public import TicketModel
internal import Foundation
internal import GRDB

/// The station-side bookkeeping of sync: what the server refused, what left the scopes, where the
/// server's log was read up to, and the server settings.
extension Station {
    /// This station's unacknowledged operations with sequence numbers above `seq`, oldest first.
    public func outbox(after seq: UInt64, limit: Int) throws(StationError) -> [TicketOperation] {
        try storeCall {
            try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT o.body FROM outbox x JOIN operations o ON o.position = x.position
                        WHERE x.seq > ? ORDER BY x.seq LIMIT ?
                        """,
                    arguments: [Int64(bitPattern: seq), limit]
                )
                .map { try OperationRows.decode($0[0]) }
            }
        }
    }

    /// Removes own operations the server refused for good, and rebuilds the tickets they touched
    /// from the operations that remain, so the station agrees with the server again.
    public func discardRejected(_ seqs: [UInt64]) throws(StationError) {
        guard !seqs.isEmpty else { return }
        try storeCall {
            try writeWithCurrentRows(changingRows: true) { db in
                let rejected = Set(seqs)
                var tickets = Set<TicketID>()
                var queued: [(position: Int64, id: OperationID)] = []
                for seq in seqs {
                    let row = try Row.fetchOne(
                        db, sql: "SELECT o.position, o.body FROM outbox x JOIN operations o ON o.position = x.position WHERE x.seq = ?",
                        arguments: [Int64(bitPattern: seq)]
                    )
                    if let row {
                        let op = try OperationRows.decode(row[1] as Data)
                        tickets.insert(op.ticket)
                        queued.append((row[0], op.id))
                    }
                }
                for ticket in tickets.sorted() {
                    var keep: [(position: Int64, op: TicketOperation)] = []
                    var gone: [(position: Int64, id: OperationID)] = []
                    for entry in try OperationRows.chain(ticket, db) {
                        if entry.op.id.replica == replica && rejected.contains(entry.op.id.seq) {
                            gone.append((entry.position, entry.op.id))
                        } else {
                            keep.append(entry)
                        }
                    }
                    try OperationRows.delete(gone, db)
                    try TicketRow.rebuild(ticket, from: keep, db)
                }
                // Rejected operations missing from their ticket's chain (a damaged store) go too.
                try OperationRows.delete(queued, db)
                for seq in seqs {
                    try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [Int64(bitPattern: seq)])
                }
            }
        }
    }

    /// Forgets tickets that left this station's scopes: their operations from elsewhere and their
    /// rows go; own operations not yet acknowledged stay in the outbox.
    public func forget(_ tickets: [TicketID]) throws(StationError) {
        guard !tickets.isEmpty else { return }
        try storeCall {
            try writeWithCurrentRows(changingRows: true) { db in
                let unacknowledged = Set(try Int64.fetchAll(db, sql: "SELECT seq FROM outbox").map { UInt64(bitPattern: $0) })
                for ticket in tickets {
                    var keep: [(position: Int64, op: TicketOperation)] = []
                    var gone: [(position: Int64, id: OperationID)] = []
                    for entry in try OperationRows.chain(ticket, db) {
                        if entry.op.id.replica == replica && unacknowledged.contains(entry.op.id.seq) {
                            keep.append(entry)
                        } else {
                            gone.append((entry.position, entry.op.id))
                        }
                    }
                    try OperationRows.delete(gone, db)
                    try TicketRow.rebuild(ticket, from: keep, db)
                }
            }
        }
    }

    /// Records the end of a successful sync round.
    public func recordSync(atMillis millis: UInt64) throws(StationError) {
        try writeWithCurrentRows { db in try Meta.set(.lastSyncMillis, String(millis), db) }
    }

    /// The server settings stored by ``configureServer(url:token:pin:caFile:)``.
    public func serverSettings() throws(StationError) -> ServerSettings? {
        try storeCall {
            try database.read { db -> ServerSettings? in
                guard let url = try Meta.get(.serverURL, db), let token = try Meta.get(.token, db) else { return nil }
                return ServerSettings(url: url, token: token, caFile: try Meta.get(.caFile, db), pin: try Meta.get(.pin, db))
            }
        }
    }

    /// The server log cursor this station has applied up to.
    public func cursor() throws(StationError) -> String? {
        try storeCall { try database.read { db in try Meta.get(.cursor, db) } }
    }
}

/// Where a station syncs: the server's URL, its credential and how to trust its certificate.
public struct ServerSettings: Sendable, Hashable {
    /// `wss://HOST:PORT` (the path `/v1/sync` is added when missing), or several such addresses
    /// separated by commas: the nodes of one cluster (the same certificate and credentials), tried
    /// in turn when the one in use cannot be reached or drops the session.
    public var url: String
    /// The station's secret.
    public var token: String
    /// A CA certificate file (PEM) to trust instead of the system's roots.
    public var caFile: String?
    /// A SHA-256 fingerprint of the server's certificate (what `ticketsyncd serve` prints); the
    /// authority that issued the pinned certificate becomes the connection's only trust root.
    public var pin: String?

    /// The addresses in ``url``, in the order given (``url`` itself if it lists none).
    public var addresses: [String] {
        let listed = url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return listed.isEmpty ? [url] : listed
    }

    /// The same settings for one of the addresses.
    func at(_ address: String) -> ServerSettings {
        var settings = self
        settings.url = address
        return settings
    }

    /// Creates settings.
    public init(url: String, token: String, caFile: String? = nil, pin: String? = nil) {
        self.url = url
        self.token = token
        self.caFile = caFile
        self.pin = pin
    }
}
