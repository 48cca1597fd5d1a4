/// The name of a ticket's scalar field (a last-writer-wins register).
///
/// Built-in fields have fixed names (`title`, `status`, …). Two open-ended families exist:
/// `custom.NAME` for operator-defined fields any station may write, and `sla.NAME` for the
/// server-owned SLA state only a server may write.
public struct FieldKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The field's name as written in operations, on the wire and in the CLI.
    public let name: String
    /// Index into the built-in table, or -1 for `custom.*`, -2 for `sla.*`.
    @usableFromInline let index: Int

    private init(builtin index: Int) {
        self.name = Self.builtinNames[index]
        self.index = index
    }

    private init(name: String, index: Int) {
        self.name = name
        self.index = index
    }

    static let builtinNames = [
        "title", "description", "status", "priority", "category", "site",
        "order_ref", "requester", "assignee", "group", "root_cause", "csat",
    ]

    /// The ticket's one-line summary. Required on create.
    public static let title = FieldKey(builtin: 0)
    /// Free text describing the problem.
    public static let description = FieldKey(builtin: 1)
    /// One of ``TicketStatus``.
    public static let status = FieldKey(builtin: 2)
    /// One of ``TicketPriority``.
    public static let priority = FieldKey(builtin: 3)
    /// A category token such as `shipping_delay`.
    public static let category = FieldKey(builtin: 4)
    /// The warehouse or location code, e.g. `DFW1`; scopes are drawn by it.
    public static let site = FieldKey(builtin: 5)
    /// The shop's order reference.
    public static let orderRef = FieldKey(builtin: 6)
    /// Who asked: a customer, carrier or internal requester.
    public static let requester = FieldKey(builtin: 7)
    /// The agent working the ticket; empty text or null means unassigned.
    public static let assignee = FieldKey(builtin: 8)
    /// The team or group that owns the ticket; scopes may be drawn by it.
    public static let group = FieldKey(builtin: 9)
    /// Why the problem happened, set at resolution.
    public static let rootCause = FieldKey(builtin: 10)
    /// Customer satisfaction, an integer from 1 to 5, set at resolution.
    public static let csat = FieldKey(builtin: 11)

    /// Every built-in field, in canonical order.
    public static let builtins: [FieldKey] = (0..<builtinNames.count).map { FieldKey(builtin: $0) }

    /// The number of built-in fields.
    public static let builtinCount = builtinNames.count

    /// An operator-defined field any station may write: `custom.NAME`.
    public static func custom(_ name: String) -> FieldKey { FieldKey(name: "custom." + name, index: -1) }

    /// A server-owned SLA field: `sla.NAME`.
    public static func sla(_ name: String) -> FieldKey { FieldKey(name: "sla." + name, index: -2) }

    /// Parses a field name; throws ``TicketModelError/Code/unknownField`` for anything unknown.
    public init(parsing name: some StringProtocol) throws(TicketModelError) {
        let name = String(name)
        if let index = Self.builtinIndex[name] {
            self.init(builtin: index)
            return
        }
        for (prefix, index) in [("custom.", -1), ("sla.", -2)] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard FieldRules.isToken(rest, maxBytes: 64) else {
                throw TicketModelError(
                    .unknownField,
                    "field '\(name.prefix(80))': the part after '\(prefix)' must be 1-64 characters of a-z, 0-9, _ or -"
                )
            }
            self.init(name: name, index: index)
            return
        }
        throw TicketModelError(
            .unknownField,
            "unknown field '\(name.prefix(80))'; known fields: \(Self.builtinNames.joined(separator: ", ")), custom.NAME"
        )
    }

    private static let builtinIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: builtinNames.enumerated().map { ($1, $0) }
    )

    /// Whether only a server may write this field.
    public var isServerOwned: Bool { index == -2 }
    /// Whether this is a `custom.*` field.
    public var isCustom: Bool { index == -1 }
    /// The built-in index (0 ..< ``builtinCount``), or nil for custom and SLA fields.
    public var builtinIndex: Int? { index >= 0 ? index : nil }

    public var description: String { name }

    public static func == (lhs: FieldKey, rhs: FieldKey) -> Bool {
        lhs.index == rhs.index && (lhs.index >= 0 || lhs.name == rhs.name)
    }

    public func hash(into hasher: inout Hasher) {
        if index >= 0 { hasher.combine(index) } else { hasher.combine(name) }
    }

    /// Canonical order: built-ins in table order, then named fields by name.
    public static func < (lhs: FieldKey, rhs: FieldKey) -> Bool {
        switch (lhs.index >= 0, rhs.index >= 0) {
        case (true, true): return lhs.index < rhs.index
        case (true, false): return true
        case (false, true): return false
        case (false, false): return lhs.name < rhs.name
        }
    }
}
