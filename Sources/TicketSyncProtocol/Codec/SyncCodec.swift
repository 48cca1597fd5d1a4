public import TicketModel
internal import Foundation
internal import SwiftProtobuf

/// Encodes and decodes sync messages (`Protocol/ticketsync/v1/sync.proto`), checking every
/// decoded message against the limits before anything is allocated from its counts.
public enum SyncCodec {
    // MARK: Station → server

    /// Decodes a station's message. The caller has already bounded `bytes` by
    /// ``SyncLimits/maxMessageBytes`` (after decompression).
    public static func decodeClient(_ bytes: [UInt8], limits: SyncLimits) throws(SyncError) -> ClientFrame {
        if let push = try pushFrame(bytes, limits: limits) { return push }
        return try decodeClientGenerally(bytes, limits: limits)
    }

    /// ``decodeClient(_:limits:)`` through SwiftProtobuf alone.
    static func decodeClientGenerally(_ bytes: [UInt8], limits: SyncLimits) throws(SyncError) -> ClientFrame {
        let message: Ticketsync_V1_ClientMessage
        do {
            message = try Ticketsync_V1_ClientMessage(serializedBytes: bytes)
        } catch {
            throw SyncError(.badMessage, "not a TicketSync v1 client message (\(bytes.count) bytes): \(error)")
        }
        switch message.kind {
        case .hello(let hello):
            guard hello.replica != 0 else { throw SyncError(.badMessage, "hello without a replica id") }
            return .hello(
                ClientFrame.Hello(
                    protocolVersion: hello.protocolVersion, token: hello.token, replica: ReplicaID(hello.replica),
                    cursor: hello.cursor.isEmpty ? nil : hello.cursor, clientMillis: hello.clientTimeMs,
                    window: Int(min(hello.window, UInt32(limits.maxWindow))), clientName: String(hello.clientName.prefix(100))
                )
            )
        case .push(let push):
            return .push(batch: push.batch, operations: try operations(push.operations, limits: limits))
        case .credit(let credit):
            return .credit(deliveries: Int(min(credit.deliveries, UInt32(limits.maxWindow))))
        case .ping(let ping):
            return .ping(clientMillis: ping.clientTimeMs)
        case nil:
            throw SyncError(.badMessage, "a client message of a kind this server does not know")
        }
    }

    /// Encodes a station's message.
    public static func encode(_ frame: ClientFrame) -> [UInt8] {
        var message = Ticketsync_V1_ClientMessage()
        switch frame {
        case .hello(let hello):
            var out = Ticketsync_V1_Hello()
            out.protocolVersion = hello.protocolVersion
            out.token = hello.token
            out.replica = hello.replica.rawValue
            out.cursor = hello.cursor ?? ""
            out.clientTimeMs = hello.clientMillis
            out.window = UInt32(hello.window)
            out.clientName = hello.clientName
            message.hello = out
        case .push(let batch, let operations):
            return pushBytes(batch: batch, operations: operations)
        case .credit(let deliveries):
            var out = Ticketsync_V1_Credit()
            out.deliveries = UInt32(clamping: deliveries)
            message.credit = out
        case .ping(let clientMillis):
            var out = Ticketsync_V1_Ping()
            out.clientTimeMs = clientMillis
            message.ping = out
        }
        return serialize(message)
    }

    // MARK: Server → station

    /// Decodes a server's message.
    public static func decodeServer(_ bytes: [UInt8], limits: SyncLimits) throws(SyncError) -> ServerFrame {
        if let deliver = try deliverFrame(bytes, limits: limits) { return deliver }
        return try decodeServerGenerally(bytes, limits: limits)
    }

    /// ``decodeServer(_:limits:)`` through SwiftProtobuf alone.
    static func decodeServerGenerally(_ bytes: [UInt8], limits: SyncLimits) throws(SyncError) -> ServerFrame {
        let message: Ticketsync_V1_ServerMessage
        do {
            message = try Ticketsync_V1_ServerMessage(serializedBytes: bytes)
        } catch {
            throw SyncError(.badMessage, "not a TicketSync v1 server message (\(bytes.count) bytes): \(error)")
        }
        switch message.kind {
        case .welcome(let welcome):
            var serverLimits = SyncLimits()
            serverLimits.maxMessageBytes = Int(welcome.limits.maxMessageBytes)
            serverLimits.maxOperationsPerBatch = Int(welcome.limits.maxOpsPerBatch)
            serverLimits.maxOperationBytes = Int(welcome.limits.maxOpBytes)
            serverLimits.maxDriftMillis = welcome.limits.maxDriftMs
            return .welcome(
                ServerFrame.Welcome(
                    serverMillis: welcome.serverTimeMs, station: welcome.station, scopes: welcome.scopes,
                    ackedSeq: welcome.ackedSeq, limits: serverLimits, snapshot: welcome.snapshot, serverID: welcome.serverID
                )
            )
        case .pushResult(let result):
            return .pushResult(
                ServerFrame.PushResult(
                    batch: result.batch, ackedSeq: result.ackedSeq,
                    rejected: result.rejected.map { .init(seq: $0.seq, code: $0.code, message: $0.message) }
                )
            )
        case .deliver(let deliver):
            return .deliver(
                operations: try operations(deliver.operations, limits: limits), cursor: deliver.cursor,
                caughtUp: deliver.caughtUp
            )
        case .scopeChange(let change):
            var removed: [TicketID] = []
            for bytes in change.removed.prefix(limits.maxOperationsPerBatch) {
                guard let id = TicketID(bytes: bytes) else { throw SyncError(.badMessage, "a ticket id is not 16 bytes") }
                removed.append(id)
            }
            return .scopeChange(removed: removed)
        case .pong(let pong):
            return .pong(clientMillis: pong.clientTimeMs, serverMillis: pong.serverTimeMs)
        case .error(let error):
            return .error(SyncError(SyncError.Code(named: error.code), error.message))
        case nil:
            throw SyncError(.badMessage, "a server message of a kind this client does not know")
        }
    }

    /// Encodes a server's message.
    public static func encode(_ frame: ServerFrame) -> [UInt8] {
        var message = Ticketsync_V1_ServerMessage()
        switch frame {
        case .welcome(let welcome):
            var out = Ticketsync_V1_Welcome()
            out.serverTimeMs = welcome.serverMillis
            out.station = welcome.station
            out.scopes = welcome.scopes
            out.ackedSeq = welcome.ackedSeq
            var limits = Ticketsync_V1_Limits()
            limits.maxMessageBytes = UInt32(clamping: welcome.limits.maxMessageBytes)
            limits.maxOpsPerBatch = UInt32(clamping: welcome.limits.maxOperationsPerBatch)
            limits.maxOpBytes = UInt32(clamping: welcome.limits.maxOperationBytes)
            limits.maxDriftMs = welcome.limits.maxDriftMillis
            out.limits = limits
            out.snapshot = welcome.snapshot
            out.serverID = welcome.serverID
            message.welcome = out
        case .pushResult(let result):
            var out = Ticketsync_V1_PushResult()
            out.batch = result.batch
            out.ackedSeq = result.ackedSeq
            out.rejected = result.rejected.map { rejection in
                var entry = Ticketsync_V1_Rejection()
                entry.seq = rejection.seq
                entry.code = rejection.code
                entry.message = rejection.message
                return entry
            }
            message.pushResult = out
        case .deliver(let operations, let cursor, let caughtUp):
            return deliverBytes(operations: operations, cursor: cursor, caughtUp: caughtUp)
        case .scopeChange(let removed):
            var out = Ticketsync_V1_ScopeChange()
            out.removed = removed.map { Data($0.bytes) }
            message.scopeChange = out
        case .pong(let clientMillis, let serverMillis):
            var out = Ticketsync_V1_Pong()
            out.clientTimeMs = clientMillis
            out.serverTimeMs = serverMillis
            message.pong = out
        case .error(let error):
            var out = Ticketsync_V1_Error()
            out.code = error.code.rawValue
            out.message = error.message
            message.error = out
        }
        return serialize(message)
    }

    // MARK: Helpers

    static func operations(_ batch: Ticketsync_V1_OperationBatch, limits: SyncLimits) throws(SyncError) -> [TicketOperation] {
        let operations: [TicketOperation]
        do {
            operations = try OperationCodec.operations(in: batch, maxOperations: limits.maxOperationsPerBatch)
        } catch {
            if error.code == .tooLarge { throw SyncError(.tooLarge, error.message) }
            throw SyncError(.badMessage, error.message)
        }
        return try checked(operations, limits: limits)
    }

    static func checked(_ operations: [TicketOperation], limits: SyncLimits) throws(SyncError) -> [TicketOperation] {
        for op in operations where op.approximateBytes > limits.maxOperationBytes {
            throw SyncError(
                .tooLarge, "operation \(op.id) is about \(op.approximateBytes) bytes; the limit is \(limits.maxOperationBytes)"
            )
        }
        return operations
    }

    static func serialize(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            preconditionFailure("encoding an in-memory message cannot fail: \(error)")
        }
    }
}

extension TicketOperation {
    /// The operation's size: its text plus a fixed allowance for ids and numbers.
    var approximateBytes: Int {
        var bytes = 64 + author.name.utf8.count
        switch payload {
        case .create(let fields):
            for (field, value) in fields { bytes += field.name.utf8.count + (value.text?.utf8.count ?? 8) }
        case .set(let field, let value, _): bytes += field.name.utf8.count + (value.text?.utf8.count ?? 8)
        case .add(_, let element): bytes += element.utf8.count
        case .remove(_, let element, let observed): bytes += element.utf8.count + 16 * observed.count
        case .comment(let body, _), .editComment(_, let body): bytes += body.utf8.count
        case .deleteComment: break
        case .requestEscalation(let reason, let team), .escalate(_, _, let reason, let team):
            bytes += reason.utf8.count + (team?.utf8.count ?? 0)
        }
        return bytes
    }
}
