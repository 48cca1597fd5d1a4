import Testing
import TicketModel
import TicketSyncServer

/// Pulls: the log read by cursor, with each ticket's placement before and after each operation.
@Suite struct LogReadTests {
    @Test(arguments: StoreBackEnd.all)
    func pagesThroughEverythingOnceInOrderWithPlacements(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        var north = OperationScript(replica: ReplicaID(0xA1))
        var south = OperationScript(replica: ReplicaID(0xA2), millis: t0 + 300)
        let northStation = try await addBoundStation(store, "north", replica: north.replica)
        let southStation = try await addBoundStation(store, "south", replica: south.replica)
        let a = ticket(1), b = ticket(2)

        var pushed: [TicketOperation] = []
        for round in 0..<4 {
            let n = round == 0 ? [north.create(a, site: "A", team: "pickers")] : [north.set(.priority, .text(["low", "high", "urgent"][round - 1]), on: a)]
            let s = round == 0 ? [south.create(b, site: "A")] : [south.next(.add(.tags, "t\(round)"), on: b), south.next(.add(.watchers, "bo"), on: a)]
            _ = try await store.append(n, from: northStation, at: north.receivedMillis)
            _ = try await store.append(s, from: southStation, at: south.receivedMillis)
            pushed += n + s
        }
        let move = south.set(.site, .text("B"), on: a)
        let afterMove = north.set(.status, .text("pending"), on: a)
        _ = try await store.append([move], from: southStation, at: south.receivedMillis)
        _ = try await store.append([afterMove], from: northStation, at: north.receivedMillis)
        pushed += [move, afterMove]

        for page in [1, 3, 100] {
            let entries = try await readAll(store, page: page)
            #expect(try entries.map { try $0.operation } == pushed, "page size \(page)")
            let positions = entries.map { Int64($0.cursor)! }
            #expect(positions == positions.sorted() && Set(positions).count == positions.count, "page size \(page)")
        }
        let entries = try await readAll(store)
        let create = try #require(entries.first)
        #expect(create.before == nil)
        #expect(create.after == TicketPlacement(site: "A", team: "pickers"))
        let moved = try #require(entries.first { $0.id == move.id })
        #expect(moved.before == TicketPlacement(site: "A", team: "pickers"))
        #expect(moved.after == TicketPlacement(site: "B", team: "pickers"))
        let next = try #require(entries.first { $0.id == afterMove.id })
        #expect(next.before == TicketPlacement(site: "B", team: "pickers") && next.after == next.before)

        // Reading from the last cursor gives nothing; from the middle, the rest.
        #expect(try await store.read(after: entries.last!.cursor, limit: 10).isEmpty)
        #expect(try await store.read(after: entries[4].cursor, limit: 100).map { try $0.operation } == Array(pushed.dropFirst(5)))
        #expect(try await store.read(after: nil, limit: 0).isEmpty)

        // Stretches for a station's scopes: exactly the entries whose ticket sat in them before
        // or after (the move from A to B concerns site:A and site:B), stretch after stretch to
        // the head, whether the store filters in the database or in memory.
        #expect(store.filtersByScope == (backEnd.name == "postgres"))
        let scopeSets: [[Scope]] = [[.site("A")], [.site("B")], [.team("pickers")], [.ticket(b)], [.site("Z")], [.site("B"), .ticket(b)], [.all]]
        for scopes in scopeSets {
            for page in [1, 4, 100] {
                var read: [OperationID] = []
                var cursor: String?
                var covered = 0
                for _ in 0...entries.count {
                    let window = try await store.read(after: cursor, limit: page, concerning: scopes)
                    guard let end = window.end else {
                        #expect(window.entries.isEmpty && window.reachedEnd && window.covered == 0)
                        break
                    }
                    #expect(window.covered <= page && Int64(end)! > Int64(cursor ?? "0")!, "\(scopes) page \(page)")
                    read += window.entries.map(\.id)
                    covered += window.covered
                    cursor = end
                    if window.reachedEnd { break }
                }
                #expect(read == entries.filter { $0.concerns(scopes) }.map(\.id), "\(scopes) page \(page)")
                #expect(covered == entries.count && cursor == entries.last!.cursor, "\(scopes) page \(page)")
            }
        }
        #expect(entries.filter { $0.concerns([.site("A")]) }.contains { $0.id == move.id })
        #expect(!entries.filter { $0.concerns([.site("A")]) }.contains { $0.id == afterMove.id })

        // One ticket's history up to a cursor.
        let history = try await store.operations(of: a, through: moved.cursor)
        #expect(history == pushed.prefix { $0.id != afterMove.id }.filter { $0.ticket == a })
        #expect(try await store.operations(of: a, through: "0").isEmpty)
        #expect(try await store.operations(of: ticket(9), through: entries.last!.cursor).isEmpty)
    }

    @Test(arguments: StoreBackEnd.all)
    func knowsTheCursorsItGave(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        #expect(try await store.knows(cursor: "0"))
        #expect(try await !store.knows(cursor: "1"))
        var script = OperationScript(replica: ReplicaID(0xB1))
        let station = try await addBoundStation(store, "s", replica: script.replica)
        _ = try await store.append([script.create(ticket(1)), script.set(.priority, .text("low"), on: ticket(1))], from: station, at: script.receivedMillis)
        let entries = try await readAll(store)
        for entry in entries { #expect(try await store.knows(cursor: entry.cursor)) }
        let last = Int64(entries.last!.cursor)!
        #expect(try await !store.knows(cursor: String(last + 1)))
        for garbage in ["", "-1", "abc", "1.5", " 1", "+1", "01", "99999999999999999999999"] {
            #expect(try await !store.knows(cursor: garbage), "cursor '\(garbage)'")
        }
        let bad = await #expect(throws: ServerError.self) { try await store.read(after: "abc", limit: 10) }
        #expect(bad?.code == .invalidArgument)
        await #expect(throws: ServerError.self) { try await store.operations(of: ticket(1), through: "x") }
    }
}
