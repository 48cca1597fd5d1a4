import Foundation
import SwiftProtobuf
import Testing
import TicketModel
@testable import TicketSyncProtocol

/// Golden vectors in `Protocol/vectors`: each `NAME.bin.hex` holds encoded bytes, `NAME.txt` their
/// readable form (Protocol Buffers text format). The tests decode the bytes, compare them with the
/// frames below, and re-encode them byte for byte. `TICKETSYNC_WRITE_VECTORS=1 swift test
/// --filter GoldenVectorTests` rewrites the files after a deliberate format change.
@Suite struct GoldenVectorTests {
    static let replica = ReplicaID(0x00C0_FFEE_00C0_FFEE)
    static let ticket = TicketID("0194b1c2-5d4e-7f00-8a1b-0123456789ab")!
    static let t0: UInt64 = 1_767_225_600_000

    static var operations: [TicketOperation] {
        let agent = Author.agent("alice")
        func op(_ seq: UInt64, _ millis: UInt64, _ payload: Payload, by author: Author = agent) -> TicketOperation {
            TicketOperation(
                id: OperationID(replica: replica, seq: seq), timestamp: Timestamp(millis: t0 + millis), author: author,
                ticket: ticket, payload: payload
            )
        }
        let first = OperationID(replica: replica, seq: 1)
        return [
            op(1, 0, .create([.title: .text("Parcel crushed"), .status: .text("open"), .site: .text("DFW1")])),
            op(2, 1500, .set(.priority, .text("high"), overwrites: first)),
            op(3, 1500, .add(.tags, "carrier_ups")),
            op(4, 2000, .remove(.tags, "carrier_ups", observed: [OperationID(replica: replica, seq: 3)])),
            op(5, 2500, .comment(body: "Called the carrier", visibility: .public)),
            op(6, 3000, .editComment(OperationID(replica: replica, seq: 5), body: "Called UPS")),
            op(7, 3500, .requestEscalation(reason: "no answer", toTeam: "carriers")),
            op(8, 4000, .escalate(tier: 2, kind: .automatic, reason: "2 h target", toTeam: nil), by: Author(.server, "node-1")),
            op(9, 4500, .set(.csat, .integer(4), overwrites: nil)),
        ]
    }

    static let clientFrames: [(String, ClientFrame)] = [
        ("client-hello", .hello(.init(token: "f00d", replica: replica, cursor: "42", clientMillis: t0, window: 8, clientName: "ticketsync/1"))),
        ("client-push", .push(batch: 7, operations: Array(operations.prefix(3)))),
        ("client-credit", .credit(deliveries: 1)),
    ]

    static let serverFrames: [(String, ServerFrame)] = [
        ("server-welcome", .welcome(.init(serverMillis: t0, station: "dfw-desk", scopes: ["site:DFW1"], ackedSeq: 3, limits: SyncLimits(), snapshot: false, serverID: "00000000000000aa"))),
        ("server-push-result", .pushResult(.init(batch: 7, ackedSeq: 9, rejected: [.init(seq: 8, code: "server_owned_field", message: "only the server escalates")]))),
        ("server-deliver", .deliver(operations: Array(operations.suffix(2)), cursor: "57", caughtUp: true)),
        ("server-error", .error(SyncError(.revoked, "the credential was revoked"))),
    ]

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Protocol/vectors")
    }

    static var writing: Bool { ProcessInfo.processInfo.environment["TICKETSYNC_WRITE_VECTORS"] == "1" }

    func check(_ name: String, bytes: [UInt8], text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let hexURL = Self.directory.appendingPathComponent("\(name).bin.hex")
        let textURL = Self.directory.appendingPathComponent("\(name).txt")
        if Self.writing {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try (bytes.map { String(format: "%02x", $0) }.joined() + "\n").write(to: hexURL, atomically: true, encoding: .utf8)
            try text.write(to: textURL, atomically: true, encoding: .utf8)
        }
        let hex = try String(contentsOf: hexURL, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var stored: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            stored.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        #expect(stored == bytes, "\(name): the encoder no longer produces the golden bytes", sourceLocation: sourceLocation)
        #expect(try String(contentsOf: textURL, encoding: .utf8) == text, "\(name): readable form differs", sourceLocation: sourceLocation)
        return stored
    }

    @Test func operationBatch() throws {
        let bytes = OperationCodec.encode(Self.operations)
        let message = try Ticketsync_V1_OperationBatch(serializedBytes: bytes)
        let stored = try check("operation-batch", bytes: bytes, text: message.textFormatString())
        #expect(try OperationCodec.decode(stored) == Self.operations)
        #expect(OperationCodec.encode(try OperationCodec.decode(stored)) == stored)
    }

    @Test(arguments: clientFrames.map(\.0))
    func clientMessages(name: String) throws {
        let frame = Self.clientFrames.first { $0.0 == name }!.1
        let bytes = SyncCodec.encode(frame)
        let text = try Ticketsync_V1_ClientMessage(serializedBytes: bytes).textFormatString()
        let stored = try check(name, bytes: bytes, text: text)
        let decoded = try SyncCodec.decodeClient(stored, limits: SyncLimits())
        #expect(decoded == frame)
        #expect(SyncCodec.encode(decoded) == stored)
    }

    @Test(arguments: serverFrames.map(\.0))
    func serverMessages(name: String) throws {
        let frame = Self.serverFrames.first { $0.0 == name }!.1
        let bytes = SyncCodec.encode(frame)
        let text = try Ticketsync_V1_ServerMessage(serializedBytes: bytes).textFormatString()
        let stored = try check(name, bytes: bytes, text: text)
        let decoded = try SyncCodec.decodeServer(stored, limits: SyncLimits())
        #expect(decoded == frame)
        #expect(SyncCodec.encode(decoded) == stored)
    }
}
