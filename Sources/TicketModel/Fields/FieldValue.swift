/// The value of a scalar field.
public enum FieldValue: Hashable, Sendable, CustomStringConvertible {
    /// UTF-8 text.
    case text(String)
    /// A whole number (CSAT, counters in custom or SLA fields).
    case integer(Int64)
    /// No value: the field is cleared.
    case null

    /// The text, or nil if the value is not text.
    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// The integer, or nil if the value is not an integer.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The value as a person would read it; null prints as an empty string.
    public var description: String {
        switch self {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .null: return ""
        }
    }

    /// The value's type name, for error messages.
    var typeName: String {
        switch self {
        case .text: return "text"
        case .integer: return "integer"
        case .null: return "null"
        }
    }
}
