import Foundation
import TicketModel

/// A JSON object under construction: string keys in snake_case, values that `JSONSerialization`
/// writes (String, Int, Bool, arrays, objects, `NSNull`).
typealias JSONObject = [String: Any]

/// Writing JSON for scripts: compact, keys sorted (so output is stable), `/` not escaped.
/// Absent values are written as `null`, so every key of a kind of object is always there.
enum JSONOutput {
    /// The value as one line of JSON.
    static func line(_ value: Any) -> String {
        do {
            let data = try JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed]
            )
            return String(decoding: data, as: UTF8.self)
        } catch {
            // Only values built by this program reach here; a failure is a bug, not bad input.
            preconditionFailure("not a JSON value: \(error)")
        }
    }

    /// Prints the value as one line of JSON on standard output.
    static func print(_ value: Any) {
        Swift.print(line(value))
    }

    /// The value, or `null`.
    static func orNull(_ value: Any?) -> Any { value ?? NSNull() }
}

extension FieldValue {
    /// Text as a string, an integer as a number, null as `null`.
    var json: Any {
        switch self {
        case .text(let text): return text
        case .integer(let value): return value
        case .null: return NSNull()
        }
    }
}
