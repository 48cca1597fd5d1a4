public import TicketModel
public import TicketSLA
internal import GRDB

/// SLA clocks at the station: the policy set it computes provisional clocks with, and each
/// ticket's clocks (confirmed ones read back from the server's `sla.*` fields).
extension Station {
    /// The policy set this station computes provisional clocks with: the file set with
    /// ``setSLAPolicies(yaml:file:)``, else ``PolicySet/default``.
    public func slaPolicies() throws(StationError) -> PolicySet {
        let stored = try storeCall { try database.read { db in (try Meta.get(.slaPolicies, db), try Meta.get(.slaPolicyFile, db)) } }
        guard let text = stored.0 else { return .default }
        do {
            return try PolicySet(yaml: text, file: stored.1 ?? "stored policies")
        } catch {
            throw StationError(
                .store, "the stored SLA policies no longer parse (\(error.lines.first ?? "")); set them again with 'ticketsync policy FILE'"
            )
        }
    }

    /// Where the station's policy file was read from, or nil when it uses the default set.
    public func slaPolicyFile() throws(StationError) -> String? {
        try storeCall { try database.read { db in try Meta.get(.slaPolicies, db) == nil ? nil : try Meta.get(.slaPolicyFile, db) } }
    }

    /// Checks a policy file's text and keeps it in the store (so the station does not depend on
    /// the file staying where it is); nil `yaml` goes back to the default set. Throws
    /// ``StationError/Code/invalid`` with one `FILE:LINE:COL: message` line per problem.
    @discardableResult
    public func setSLAPolicies(yaml: String?, file: String) throws(StationError) -> PolicySet {
        let set: PolicySet
        if let yaml {
            do {
                set = try PolicySet(yaml: yaml, file: file)
            } catch {
                throw StationError(.invalid, error.lines.joined(separator: "\n"))
            }
        } else {
            set = .default
        }
        try storeCall {
            try database.write { db in
                if let yaml {
                    try Meta.set(.slaPolicies, yaml, db)
                    try Meta.set(.slaPolicyFile, file, db)
                } else {
                    try Meta.remove(.slaPolicies, db)
                    try Meta.remove(.slaPolicyFile, db)
                }
            }
        }
        return set
    }

    /// A ticket's SLA clocks at `now` (default: the station's clock), or nil if it has not been
    /// created here yet.
    public func slaStatus(of id: TicketID, now: UInt64? = nil) throws(StationError) -> TicketSLAStatus? {
        let policies = try slaPolicies()
        let replica = try replica(of: id)
        return Self.slaStatus(of: id, in: replica, policies: policies, now: now ?? wallClock.nowMillis())
    }

    /// Every ticket's SLA clocks at `now` (default: the station's clock), by ticket. Reads the
    /// whole operation log once.
    public func slaStatuses(now: UInt64? = nil) throws(StationError) -> [TicketID: TicketSLAStatus] {
        let policies = try slaPolicies()
        let replica = try fullReplica()
        let now = now ?? wallClock.nowMillis()
        var result: [TicketID: TicketSLAStatus] = [:]
        for id in replica.ticketIDs {
            result[id] = Self.slaStatus(of: id, in: replica, policies: policies, now: now)
        }
        return result
    }

    static func slaStatus(of id: TicketID, in replica: TicketReplica, policies: PolicySet, now: UInt64) -> TicketSLAStatus? {
        guard let ticket = replica.ticket(id) else { return nil }
        // Provisional: every operation counted at its own clock reading (the station's view).
        let operations = replica.operations(on: id).map(CountedOperation.init(stationClock:))
        guard let provisional = policies.evaluate(operations, now: now) else { return nil }
        let policy = policies.policy(id: provisional.policyID) ?? policies.policy(for: ticket)
        return TicketSLAStatus(provisional: provisional, policy: policy, confirmed: SLAFields.confirmed(ticket), now: now)
    }
}
