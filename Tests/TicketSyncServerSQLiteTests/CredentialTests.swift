import Testing
import TicketModel
import TicketSyncServer

/// Station credentials: add, look up by secret hash, revoke, bind to one replica.
@Suite struct CredentialTests {
    @Test(arguments: StoreBackEnd.all)
    func addLookUpAndRevoke(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        let token = StationToken.generate()
        let hash = StationToken.hash(token)
        try await store.addStation(name: "dfw-pack-1", tokenHash: hash, scopes: [.site("DFW1"), .team("returns")], createdMillis: t0)
        try await store.addStation(name: "ont-recv-2", tokenHash: StationToken.hash(StationToken.generate()), scopes: [.all], createdMillis: t0 + 1)

        let found = try #require(try await store.station(tokenHash: hash))
        #expect(found == StationRecord(name: "dfw-pack-1", scopes: [.site("DFW1"), .team("returns")], replica: nil, revoked: false, createdMillis: t0, kind: .station))
        #expect(try await store.station(tokenHash: StationToken.hash("not the secret")) == nil)
        #expect(try await store.stations().map(\.name) == ["dfw-pack-1", "ont-recv-2"])
        #expect(try await store.counts().stations == 2)

        try await store.revokeStation(name: "dfw-pack-1")
        #expect(try await store.station(tokenHash: hash)?.revoked == true)
        try await store.revokeStation(name: "dfw-pack-1")  // again: not an error
        let unknown = await #expect(throws: ServerError.self) { try await store.revokeStation(name: "nobody") }
        #expect(unknown?.code == .notFound)
    }

    @Test(arguments: StoreBackEnd.all)
    func duplicateNameOrSecretIsRefused(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        let hash = StationToken.hash(StationToken.generate())
        try await store.addStation(name: "dfw-pack-1", tokenHash: hash, scopes: [.all], createdMillis: t0)
        let sameName = await #expect(throws: ServerError.self) {
            try await store.addStation(name: "dfw-pack-1", tokenHash: StationToken.hash(StationToken.generate()), scopes: [.all], createdMillis: t0)
        }
        #expect(sameName?.code == .alreadyExists)
        let sameSecret = await #expect(throws: ServerError.self) {
            try await store.addStation(name: "other", tokenHash: hash, scopes: [.all], createdMillis: t0)
        }
        #expect(sameSecret?.code == .alreadyExists)
        #expect(try await store.stations().count == 1)
    }

    @Test(arguments: StoreBackEnd.all)
    func bindsToOneReplicaOnly(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let store = try await location.open()
        let hash = StationToken.hash(StationToken.generate())
        try await store.addStation(name: "a", tokenHash: hash, scopes: [.all], createdMillis: t0)
        try await store.addStation(name: "b", tokenHash: StationToken.hash(StationToken.generate()), scopes: [.all], createdMillis: t0)

        #expect(try await store.bind(station: "a", to: ReplicaID(0xA1)))
        #expect(try await store.bind(station: "a", to: ReplicaID(0xA1)))  // the same replica again
        #expect(try await !store.bind(station: "a", to: ReplicaID(0xB2)))  // another one
        #expect(try await store.station(tokenHash: hash)?.replica == ReplicaID(0xA1))

        // A replica belongs to one live credential, and never to a station if it is the server's.
        #expect(try await !store.bind(station: "b", to: ReplicaID(0xA1)))
        #expect(try await !store.bind(station: "b", to: store.serverReplica()))
        // A station given a new credential after its old one was revoked keeps its replica.
        try await store.revokeStation(name: "a")
        #expect(try await store.bind(station: "b", to: ReplicaID(0xA1)))

        let unknown = await #expect(throws: ServerError.self) { try await store.bind(station: "nobody", to: ReplicaID(0xC3)) }
        #expect(unknown?.code == .notFound)
    }

    @Test(arguments: StoreBackEnd.all)
    func serverReplicaIsMadeOnceAndKept(_ backEnd: StoreBackEnd) async throws {
        let location = try await backEnd.makeLocation()
        let first = try await location.open().serverReplica()
        #expect(first.rawValue != 0)
        #expect(try await location.open().serverReplica() == first)
    }
}
