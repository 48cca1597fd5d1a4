internal import TicketModel

/// The content digest that versions a policy set, over a canonical text of its policies.
///
/// FNV-1a (64 bits) over the canonical text: a version label, not a security digest (the file
/// is the operator's own). Policies are hashed in order; sets inside a policy in sorted order.
enum PolicyDigest {
    static func version(of policies: [SLAPolicy]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in canonicalText(policies).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return "v1-" + String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// One line per policy, every value spelled out.
    static func canonicalText(_ policies: [SLAPolicy]) -> String {
        func opt(_ value: UInt64?) -> String { value.map(String.init) ?? "-" }
        func list(_ values: some Sequence<String>) -> String { values.sorted().joined(separator: ",") }
        return policies.map { policy in
            let match = policy.match
            let calendar = policy.calendar
            let tiers = policy.escalation.map { "\($0.tier)/\($0.limitMillis)/\($0.group)/\($0.notify.joined(separator: ","))" }
            return [
                "id=\(policy.id)",
                "priority=\(list(match.priorities.map(\.rawValue)))", "category=\(list(match.categories))",
                "site=\(list(match.sites))", "group=\(list(match.groups))", "tags=\(list(match.tags))",
                "calendar=\(calendar.name)|\(calendar.timeZoneIdentifier)|\(calendar.windows.map(\.description).joined(separator: ","))|\(calendar.holidays.map(\.description).joined(separator: ","))",
                "first=\(opt(policy.targets.firstResponse))", "next=\(opt(policy.targets.nextResponse))",
                "update=\(opt(policy.targets.periodicUpdate))", "resolution=\(opt(policy.targets.resolution))",
                "pause=\(list(policy.pauseStatuses.map(\.rawValue)))", "warning=\(policy.warningThreshold)",
                "tiers=\(tiers.joined(separator: ";"))",
            ].joined(separator: "\u{1F}")
        }.joined(separator: "\n")
    }

    /// 1 to 64 characters of `a-z 0-9 _ -`.
    static func isToken(_ text: String) -> Bool {
        let utf8 = text.utf8
        return !utf8.isEmpty && utf8.count <= 64
            && utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D }
    }
}
