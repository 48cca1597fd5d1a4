/// Size limits the model enforces on every operation, whoever made it.
///
/// Each limit is named in the error that reports it. The defaults are generous for tickets and
/// small enough that one hostile operation cannot exhaust a replica's memory.
public struct ModelLimits: Hashable, Sendable {
    /// Longest title, in UTF-8 bytes.
    public var maxTitleBytes = 512
    /// Longest description, comment body, root cause or SLA value, in UTF-8 bytes.
    public var maxLongTextBytes = 64 * 1024
    /// Longest short text (site, category, assignee, group, requester, order reference, custom field), in UTF-8 bytes.
    public var maxShortTextBytes = 256
    /// Longest tag or watcher, in UTF-8 bytes.
    public var maxElementBytes = 64
    /// Longest author name, in UTF-8 bytes.
    public var maxAuthorBytes = 128
    /// Most fields in one create.
    public var maxCreateFields = 64
    /// Most observed adds one remove may name.
    public var maxObservedPerRemove = 1024
    /// Highest escalation tier.
    public var maxTier = 9

    /// The default limits.
    public init() {}
}

internal import Foundation

/// Field-by-field validation of values.
enum FieldRules {
    /// Whether `text` is in Unicode Normalization Form C, byte for byte. Strings used as keys (tags,
    /// watchers, author names) must be: Swift compares strings by canonical equivalence, so two
    /// spellings of "é" would otherwise be one key whose bytes depend on arrival order.
    static func isNFC(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return true }
        return Array(text.precomposedStringWithCanonicalMapping.utf8) == Array(text.utf8)
    }

    /// 1 to `maxBytes` characters of `a-z 0-9 _ -`.
    static func isToken(_ text: some StringProtocol, maxBytes: Int) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= maxBytes else { return false }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }

    @inline(__always)
    static func checkLength(_ text: String, max: Int, what: @autoclosure () -> String) throws(TicketModelError) {
        let count = text.utf8.count
        if count > max {
            throw TicketModelError(.tooLarge, "\(what()) is \(count) bytes; the limit is \(max) bytes")
        }
    }

    /// Checks a `custom.*` or `sla.*` name made in code (parsed names are checked when parsed).
    static func validateName(_ field: FieldKey) throws(TicketModelError) {
        guard field.builtinIndex == nil else { return }
        let prefix = field.isServerOwned ? "sla." : "custom."
        if !isToken(field.name.dropFirst(prefix.count), maxBytes: 64) {
            throw TicketModelError(
                .unknownField, "field '\(field.name.prefix(80))': the part after '\(prefix)' must be 1-64 characters of a-z, 0-9, _ or -"
            )
        }
    }

    /// Checks that `value` may be stored in `field`.
    static func validate(_ value: FieldValue, for field: FieldKey, limits: ModelLimits) throws(TicketModelError) {
        func wrongType(_ expected: String) -> TicketModelError {
            TicketModelError(.wrongValueType, "field '\(field.name)' takes \(expected), not \(value.typeName)")
        }
        switch field.builtinIndex {
        case FieldKey.title.index:
            guard case .text(let text) = value else { throw wrongType("text") }
            if text.isEmpty { throw TicketModelError(.invalidValue, "field 'title' must not be empty") }
            try checkLength(text, max: limits.maxTitleBytes, what: "field 'title'")
        case FieldKey.description.index, FieldKey.rootCause.index:
            switch value {
            case .text(let text): try checkLength(text, max: limits.maxLongTextBytes, what: "field '\(field.name)'")
            case .null: break
            case .integer: throw wrongType("text")
            }
        case FieldKey.status.index:
            guard case .text(let text) = value else { throw wrongType("a status") }
            if TicketStatus(rawValue: text) == nil {
                throw TicketModelError(
                    .invalidValue,
                    "status '\(text.prefix(40))' is not one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
        case FieldKey.priority.index:
            guard case .text(let text) = value else { throw wrongType("a priority") }
            if TicketPriority(rawValue: text) == nil {
                throw TicketModelError(
                    .invalidValue,
                    "priority '\(text.prefix(40))' is not one of \(TicketPriority.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
        case FieldKey.category.index:
            guard case .text(let text) = value else { throw wrongType("a category") }
            if !isToken(text, maxBytes: 64) {
                throw TicketModelError(
                    .invalidValue, "category '\(text.prefix(40))' must be 1-64 characters of a-z, 0-9, _ or -"
                )
            }
        case FieldKey.csat.index:
            switch value {
            case .integer(let score) where (1...5).contains(score): break
            case .integer(let score):
                throw TicketModelError(.invalidValue, "csat \(score) is out of range; give a score from 1 to 5")
            case .null: break
            case .text: throw wrongType("an integer from 1 to 5")
            }
        case .some:
            // site, order_ref, requester, assignee, group
            switch value {
            case .text(let text): try checkLength(text, max: limits.maxShortTextBytes, what: "field '\(field.name)'")
            case .null: break
            case .integer: throw wrongType("text")
            }
        case .none:
            let max = field.isServerOwned ? limits.maxLongTextBytes : limits.maxShortTextBytes
            if case .text(let text) = value { try checkLength(text, max: max, what: "field '\(field.name)'") }
        }
    }
}
