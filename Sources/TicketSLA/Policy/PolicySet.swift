public import TicketModel

/// An ordered list of SLA policies: the first whose match holds applies to a ticket, and the
/// last one must be a catch-all so every ticket has one.
///
/// A set has a ``version``, a digest of its content (not of the file's spelling: comments and
/// layout do not change it), recorded with every evaluation so a ticket's clocks say which
/// policies computed them.
public struct PolicySet: Hashable, Sendable {
    /// The policies, in match order.
    public let policies: [SLAPolicy]
    /// The content digest: `v1-` and 16 hexadecimal digits.
    public let version: String

    /// Most policies one set may hold.
    public static let maxPolicies = 500

    /// Creates a set, checking each policy and the order. Throws on duplicate ids, bad ids, no
    /// catch-all last, a policy after the catch-all, a warning threshold outside (0, 1),
    /// tiers not numbered 1, 2, 3, … or limits that do not increase, and zero targets.
    public init(policies: [SLAPolicy]) throws(SLAConfigurationError) {
        for problem in Self.problems(in: policies) { throw problem.error }
        self.policies = policies
        self.version = PolicyDigest.version(of: policies)
    }

    /// The policy that applies to `ticket`: the first whose match holds.
    public func policy(for ticket: Ticket) -> SLAPolicy {
        policies.first { $0.match.matches(ticket) } ?? policies[policies.count - 1]
    }

    /// The policy with this id, if any.
    public func policy(id: String) -> SLAPolicy? { policies.first { $0.id == id } }

    /// A problem found by ``problems(in:)``: which policy (index) and what.
    struct Problem {
        var policy: Int
        /// Where in the policy: nil (the policy), `targets`, `escalation`, `warning_at`, `match`.
        var part: String?
        /// For escalation problems, the index of the tier entry.
        var tierIndex: Int?
        var error: SLAConfigurationError
    }

    /// Every problem of a list of policies, in order.
    static func problems(in policies: [SLAPolicy]) -> [Problem] {
        var problems: [Problem] = []
        if policies.isEmpty {
            problems.append(
                Problem(policy: 0, error: SLAConfigurationError(.missingKey, "no policies; give at least one, the last without 'match'"))
            )
            return problems
        }
        if policies.count > maxPolicies {
            problems.append(
                Problem(
                    policy: maxPolicies,
                    error: SLAConfigurationError(.tooLarge, "\(policies.count) policies; the limit is \(maxPolicies)")
                )
            )
        }
        var seen: [String: Int] = [:]
        var catchAll: Int?
        for (index, policy) in policies.enumerated() {
            func add(_ part: String?, _ code: SLAConfigurationError.Code, _ message: String, tier: Int? = nil) {
                problems.append(Problem(policy: index, part: part, tierIndex: tier, error: SLAConfigurationError(code, message)))
            }
            if !PolicyDigest.isToken(policy.id) {
                add(nil, .wrongType, "policy id '\(policy.id.prefix(40))' must be 1-64 characters of a-z, 0-9, _ or -")
            }
            if let first = seen[policy.id] {
                add(nil, .badReference, "policy id '\(policy.id)' is used twice (policies \(first + 1) and \(index + 1)); give each policy its own id")
            }
            seen[policy.id] = seen[policy.id] ?? index
            if let catchAll {
                add(
                    "match", .badOrder,
                    "policy '\(policy.id)' can never apply: policy '\(policies[catchAll].id)' before it has no 'match' and takes every ticket; move the catch-all last"
                )
            }
            if policy.match.isCatchAll && catchAll == nil { catchAll = index }
            if !(policy.warningThreshold > 0 && policy.warningThreshold < 1) {
                add("warning_at", .outOfRange, "warning threshold \(policy.warningThreshold) is outside (0, 1); write e.g. 75% or 0.75")
            }
            let targets = policy.targets
            if targets.firstResponse == nil && targets.nextResponse == nil && targets.resolution == nil
                && targets.periodicUpdate == nil && policy.escalation.isEmpty
            {
                add("targets", .missingKey, "policy '\(policy.id)' has no targets and no escalation; give at least one target")
            }
            for (name, value) in [
                ("first_response", targets.firstResponse), ("next_response", targets.nextResponse),
                ("periodic_update", targets.periodicUpdate), ("resolution", targets.resolution),
            ] where value == 0 {
                add("targets", .badDuration, "target '\(name)' is zero; give a positive duration such as 30m, or leave it out")
            }
            if policy.pauseStatuses.contains(.solved) || policy.pauseStatuses.contains(.closed) {
                add("pause_statuses", .unknownValue, "'solved' and 'closed' stop clocks; they cannot be pause statuses")
            }
            var previous: EscalationTier?
            for (tierIndex, tier) in policy.escalation.enumerated() {
                if tier.tier != tierIndex + 1 {
                    add(
                        "escalation", .badTiers,
                        "tier \(tier.tier) is entry \(tierIndex + 1); number the tiers 1, 2, 3, … in order", tier: tierIndex
                    )
                } else if tier.tier > ModelLimits().maxTier {
                    add("escalation", .badTiers, "tier \(tier.tier) is above the model's highest tier \(ModelLimits().maxTier)", tier: tierIndex)
                }
                if tier.limitMillis == 0 {
                    add("escalation", .badDuration, "tier \(tier.tier) has a zero limit; give a positive duration", tier: tierIndex)
                }
                if let previous, tier.limitMillis <= previous.limitMillis {
                    add(
                        "escalation", .badTiers,
                        "tier \(tier.tier)'s limit (\(SLADuration.text(tier.limitMillis))) is not more than tier \(previous.tier)'s (\(SLADuration.text(previous.limitMillis))); limits count from creation and must increase",
                        tier: tierIndex
                    )
                }
                if tier.group.isEmpty || tier.group.utf8.count > ModelLimits().maxShortTextBytes {
                    add("escalation", .wrongType, "tier \(tier.tier) needs a group of 1-\(ModelLimits().maxShortTextBytes) bytes", tier: tierIndex)
                }
                for name in tier.notify where !PolicyDigest.isToken(name) {
                    add(
                        "escalation", .wrongType,
                        "endpoint name '\(name.prefix(40))' in tier \(tier.tier) must be 1-64 characters of a-z, 0-9, _ or -", tier: tierIndex
                    )
                }
                previous = tier
            }
        }
        if catchAll == nil {
            problems.append(
                Problem(
                    policy: policies.count - 1, part: "match",
                    error: SLAConfigurationError(
                        .badOrder, "no policy applies to every ticket; end the list with a policy that has no 'match'"
                    )
                )
            )
        }
        return problems
    }
}
