import Testing
import TicketModel
import TicketSyncServer

/// Log entries whose operation stays encoded until a session asks for it.
@Suite struct EncodedEntryTests {
    @Test func anEncodedEntryDecodesToItsOperationAndADamagedOneSaysSo() throws {
        var script = OperationScript(replica: ReplicaID(0xB1))
        let op = script.create(ticket(1), site: "A")
        let other = script.set(.priority, .text("high"), on: ticket(1))
        let placement = TicketPlacement(site: "A", team: nil)
        func entry(_ bytes: [UInt8], id: OperationID = op.id) -> LogEntry {
            LogEntry(cursor: "7", id: id, ticket: op.ticket, encoded: bytes, before: nil, after: placement)
        }

        let good = entry(OperationCodec.encode(sortedByID: [op]))
        #expect(try good.operation == op && good.id == op.id && good.ticket == op.ticket)
        #expect(try good.operation == op, "asked twice, the kept decode answers")

        // Bytes that are not an operation, and an operation that is not the one the row names.
        for damaged in [entry([0xFF, 0x01, 0x02]), entry(OperationCodec.encode(sortedByID: [other]), id: op.id),
                        entry(OperationCodec.encode(sortedByID: [op, other]))] {
            let error = #expect(throws: ServerError.self) { try damaged.operation }
            #expect(error?.code == .storage && error?.message.contains("log entry at 7") == true, "\(String(describing: error))")
        }
    }
}
