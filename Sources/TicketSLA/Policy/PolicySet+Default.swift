extension PolicySet {
    /// The set used when the operator gives none, following the escalation seeds: one catch-all
    /// policy on a 24x7 calendar; first response within 1 h, a reply to the requester within
    /// 4 h, resolution within 24 h; tier 1 (frontline) has 2 h, tier 2 (supervisors) 8 h and
    /// tier 3 (senior management) 24 h from creation; pauses on `pending` and `on_hold`; warning
    /// at 75 %.
    public static let `default`: PolicySet = {
        let hour: UInt64 = 3_600_000
        let policy = SLAPolicy(
            id: "default",
            targets: SLATargets(firstResponse: hour, nextResponse: 4 * hour, resolution: 24 * hour),
            escalation: [
                EscalationTier(tier: 1, limitMillis: 2 * hour, group: "frontline"),
                EscalationTier(tier: 2, limitMillis: 8 * hour, group: "supervisors"),
                EscalationTier(tier: 3, limitMillis: 24 * hour, group: "management"),
            ]
        )
        // The default is checked by the tests; it cannot fail.
        return try! PolicySet(policies: [policy])
    }()
}
