import Foundation
import NIOCore
import NIOWebSocket
import Testing
import TicketModel
import TicketSyncClient
import TicketSyncProtocol

/// Bad input is refused with the documented error, and the server keeps serving others.
@Suite(.serialized) struct HostileInputTests {
    let replica = ReplicaID(0x00AB_CDEF_0123_4567)

    func hello(_ token: String, version: UInt32 = SyncVersion.current, replica: ReplicaID? = nil) -> [UInt8] {
        SyncCodec.encode(
            .hello(.init(protocolVersion: version, token: token, replica: replica ?? self.replica, cursor: nil,
                         clientMillis: UInt64(Date().timeIntervalSince1970 * 1000), window: 4, clientName: "test"))
        )
    }

    func expectClosed(_ outcome: RawClient.Outcome, _ code: SyncError.Code, sourceLocation: SourceLocation = #_sourceLocation) {
        // A size limit found by the WebSocket layer closes with 1009 before any Error message.
        let errors = outcome.errors.map(\.code)
        #expect(errors == [code] || (code == .tooLarge && errors.isEmpty), "frames: \(outcome.frames)", sourceLocation: sourceLocation)
        #expect(outcome.closeCode.map { UInt16(webSocketErrorCode: $0) } == code.closeCode, sourceLocation: sourceLocation)
    }

    @Test func sessionsRefusingBadInput() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"), extraArguments: ["--max-message-bytes", "65536"])
        try await server.start()
        defer { server.stop() }
        let token = try server.addStation("desk", scopes: ["site:DFW1"])

        // Unknown credential.
        expectClosed(try await RawClient.session(server: server, messages: [hello("0000")]), .unauthorized)
        // Unknown protocol version in the hello.
        expectClosed(try await RawClient.session(server: server, messages: [hello(token, version: 2)]), .unsupportedVersion)
        // Garbage bytes and a truncated message.
        expectClosed(try await RawClient.session(server: server, messages: [[0xFF, 0xFF, 0xFF, 0x01]]), .badMessage)
        let whole = hello(token)
        expectClosed(try await RawClient.session(server: server, messages: [Array(whole.dropLast(5))]), .badMessage)
        // A message over the limit, sent uncompressed…
        let big = [UInt8](repeating: 0x41, count: 100_000)
        expectClosed(try await RawClient.session(server: server, messages: [whole, big], readAfterEach: 2, deflate: false), .tooLarge)
        // …and a small compressed message that inflates past it (4 MiB of zeros deflate to a few KiB).
        let bomb = [UInt8](repeating: 0, count: 4 << 20)
        expectClosed(try await RawClient.session(server: server, messages: [whole, bomb], readAfterEach: 2), .tooLarge)
        // An unknown subprotocol is not upgraded at all: the connect fails, and the hello never
        // gets an answer (on a loaded machine the connect may still be pending when the window
        // ends, so the window's end alone is no proof either way: no frame is).
        var upgraded = false
        do {
            let outcome = try await RawClient.session(server: server, subprotocol: "ticketsync.v2", messages: [whole], seconds: 10)
            upgraded = !outcome.frames.isEmpty
        } catch {}
        #expect(!upgraded, "a session with subprotocol ticketsync.v2 was answered")

        // Per-operation refusals: out of scope, server-owned, far future. The session stays open.
        var sender = TicketReplica(id: replica)
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let inScope = try sender.createTicket(TicketID(high: 0x0194_0000_0000_7000, low: 0x8000_0000_0000_0001), fields: [.title: .text("ok"), .site: .text("DFW1")], by: .agent("a"), physicalMillis: now)
        let outOfScope = try sender.createTicket(TicketID(high: 0x0194_0000_0000_7000, low: 0x8000_0000_0000_0002), fields: [.title: .text("elsewhere"), .site: .text("ONT3")], by: .agent("a"), physicalMillis: now)
        let serverOwned = TicketOperation(id: OperationID(replica: replica, seq: 3), timestamp: Timestamp(millis: now), author: .agent("a"), ticket: inScope.ticket, payload: .set(.sla("due"), .integer(1), overwrites: nil))
        let future = TicketOperation(id: OperationID(replica: replica, seq: 4), timestamp: Timestamp(millis: now + 3_600_000), author: .agent("a"), ticket: inScope.ticket, payload: .set(.priority, .text("urgent"), overwrites: nil))
        let push = SyncCodec.encode(.push(batch: 1, operations: [inScope, outOfScope, serverOwned, future]))
        // Read until the push's result (or 30 s, a bound that ends the test, not a speed assertion).
        let outcome = try await RawClient.session(
            server: server, messages: [whole, push], readAfterEach: 1, seconds: 30,
            until: { if case .pushResult = $0 { true } else { false } }
        )
        let results = outcome.frames.compactMap { if case .pushResult(let result) = $0 { result } else { nil } }
        #expect(results.count == 1)
        #expect(results.first?.ackedSeq == 4)
        #expect(Dictionary(uniqueKeysWithValues: (results.first?.rejected ?? []).map { ($0.seq, $0.code) })
            == [2: "out_of_scope", 3: "server_owned_field", 4: "clock_drift"])
        #expect(outcome.errors.isEmpty)

        // The server still serves a well-behaved station.
        let station = try Station.create(at: folder.path("good.sqlite"), agent: "good")
        try station.configureServer(url: server.url, token: try server.addStation("good"), caFile: server.caFile)
        try station.createTicket([.title: .text("still fine"), .site: .text("DFW1")])
        let report = try await station.syncOnce()
        // It receives the in-scope ticket, and any SLA fields the server has written on it by now.
        #expect(report.pushed == 1 && report.received >= 1)
    }

    @Test func revokedCredentialIsClosedWithinFiveSeconds() async throws {
        let folder = try TemporaryDirectory()
        let server = try ServerProcess(dataDirectory: folder.path("server"))
        try await server.start()
        defer { server.stop() }
        let token = try server.addStation("desk")
        let started = Date()
        let revoker = Task {
            try await Task.sleep(for: .milliseconds(500))
            return try run(server.binary, ["station", "revoke", "desk", "--data-dir", server.dataDirectory])
        }
        let outcome = try await RawClient.session(server: server, messages: [hello(token)], seconds: 10)
        let elapsed = Date().timeIntervalSince(started)
        #expect(try await revoker.value.status == 0)
        expectClosed(outcome, .revoked)
        #expect(elapsed < 5.5, "closed after \(elapsed) s")
        // And it cannot come back.
        expectClosed(try await RawClient.session(server: server, messages: [hello(token)]), .revoked)
        // A second replica cannot use a credential bound to the first.
        let other = try server.addStation("other")
        _ = try await RawClient.session(server: server, messages: [hello(other)], seconds: 1)
        expectClosed(try await RawClient.session(server: server, messages: [hello(other, replica: ReplicaID(42))]), .replicaMismatch)
    }
}

extension UInt16 {
    init(webSocketErrorCode code: WebSocketErrorCode) {
        var buffer = ByteBufferAllocator().buffer(capacity: 2)
        buffer.write(webSocketErrorCode: code)
        self = buffer.readInteger(as: UInt16.self) ?? 0
    }
}
