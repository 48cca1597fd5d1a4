import TicketModel

extension Trace {
    /// Every operation of the trace as the model makes it: each trace replica applies its own
    /// steps (after the phase-0 barrier), and the result is ordered as a server would relay it:
    /// phase 0 first, then by clock reading.
    func operations() throws -> [TicketOperation] {
        var replicas = (0..<self.replicas.count).map { TicketReplica(id: Trace.replicaID($0)) }
        var phase0: [TicketOperation] = []
        for index in replicas.indices {
            for step in self.replicas[index].0 { phase0.append(try replicas[index].perform(step)) }
        }
        let end = Trace.epochMillis + 40 * 3_600_000
        for index in replicas.indices {
            _ = replicas[index].apply(batch: phase0, physicalMillis: end)
        }
        var phase1: [TicketOperation] = []
        for index in replicas.indices {
            for step in self.replicas[index].1 { phase1.append(try replicas[index].perform(step)) }
        }
        phase1.sort { $0.stamp < $1.stamp }
        return phase0 + phase1
    }
}
