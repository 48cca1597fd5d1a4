import Testing
import TicketModel
import TicketSyncProtocol

/// The server's session rules, without a network.
@Suite struct ServerSessionMachineTests {
    let replica = ReplicaID(77)
    var hello: ClientFrame.Hello { .init(token: "secret", replica: replica, cursor: "9", clientMillis: 1, window: 2, clientName: "t") }
    let grant = ServerSessionMachine.Grant(station: "desk", scopes: ["all"], ackedSeq: 4, snapshot: false, cursor: "9")

    func opened() -> ServerSessionMachine {
        var machine = ServerSessionMachine(limits: SyncLimits(), serverID: "s")
        _ = machine.receive(.hello(hello), serverMillis: 5)
        _ = machine.authenticated(grant, serverMillis: 5)
        return machine
    }

    @Test func handshakeThenWelcomeWithCursor() {
        var machine = ServerSessionMachine(limits: SyncLimits(), serverID: "s")
        let first = machine.receive(.hello(hello), serverMillis: 5)
        #expect(first == .authenticate(hello))
        guard case .open(.welcome(let welcome), let cursor) = machine.authenticated(grant, serverMillis: 6) else {
            Issue.record("no welcome")
            return
        }
        #expect(cursor == "9")
        #expect(welcome.ackedSeq == 4 && welcome.station == "desk" && welcome.serverMillis == 6)
    }

    @Test func messagesOutOfOrderClose() {
        var machine = ServerSessionMachine(limits: SyncLimits(), serverID: "s")
        guard case .close(let error) = machine.receive(.credit(deliveries: 1), serverMillis: 0) else {
            Issue.record("credit before hello was accepted")
            return
        }
        #expect(error.code == .badMessage)
        let afterClose = machine.receive(.hello(hello), serverMillis: 0)
        #expect(afterClose == .none)  // closed stays closed
        var opened = opened()
        guard case .close(let second) = opened.receive(.hello(hello), serverMillis: 0) else {
            Issue.record("second hello accepted")
            return
        }
        #expect(second.code == .badMessage)
    }

    @Test func unknownVersionAndMissingTokenAreRefused() {
        var machine = ServerSessionMachine(limits: SyncLimits(), serverID: "s")
        var future = hello
        future.protocolVersion = 2
        guard case .close(let error) = machine.receive(.hello(future), serverMillis: 0) else {
            Issue.record("version 2 accepted")
            return
        }
        #expect(error.code == .unsupportedVersion && error.code.closeCode == 4426)
        var anonymous = ServerSessionMachine(limits: SyncLimits(), serverID: "s")
        var empty = hello
        empty.token = ""
        guard case .close(let unauthorized) = anonymous.receive(.hello(empty), serverMillis: 0) else {
            Issue.record("empty token accepted")
            return
        }
        #expect(unauthorized.code == .unauthorized)
    }

    @Test func pushOfAnotherReplicaCloses() {
        var machine = opened()
        let own = TicketOperation(id: OperationID(replica: replica, seq: 5), timestamp: Timestamp(millis: 1), author: .agent("a"), ticket: TicketID(high: 1, low: 1), payload: .add(.tags, "x"))
        var foreign = own
        foreign.id = OperationID(replica: ReplicaID(78), seq: 1)
        let persist = machine.receive(.push(batch: 1, operations: [own]), serverMillis: 0)
        #expect(persist == .persist(batch: 1, operations: [own]))
        guard case .close(let error) = machine.receive(.push(batch: 2, operations: [own, foreign]), serverMillis: 0) else {
            Issue.record("foreign operation accepted")
            return
        }
        #expect(error.code == .badMessage)
    }

    @Test func creditsBoundDeliveries() {
        var machine = opened()  // window 2
        let taken = [machine.takeCredit(), machine.takeCredit(), machine.takeCredit()]
        #expect(taken == [true, true, false])
        let credit = machine.receive(.credit(deliveries: 50), serverMillis: 0)
        #expect(credit == .deliver)
        // Credits never exceed the window the station asked for.
        let refilled = [machine.takeCredit(), machine.takeCredit(), machine.takeCredit()]
        #expect(refilled == [true, true, false])
        let pong = machine.receive(.ping(clientMillis: 3), serverMillis: 9)
        #expect(pong == .send(.pong(clientMillis: 3, serverMillis: 9)))
    }
}
