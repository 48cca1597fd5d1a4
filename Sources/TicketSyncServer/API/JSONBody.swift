internal import HTTPTypes
internal import Foundation
internal import TicketModel

/// A JSON value as a request carries it, so that validation can name the member at fault.
enum JSONValue: Decodable, Sendable {
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a request body that must be a JSON object.
    static func object(_ bytes: [UInt8]) throws(Problem) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw Problem.badRequest("the body is not valid JSON: send an object such as {\"title\": \"Parcel stuck\"}")
        }
        guard case .object(let object) = value else { throw Problem.badRequest("the body must be a JSON object") }
        return object
    }

    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value of a scalar field; `allowNull` for edits (null clears the field).
    func fieldValue(_ name: String, allowNull: Bool) throws(Problem) -> FieldValue {
        switch self {
        case .string(let text): return .text(text)
        case .integer(let value): return .integer(value)
        case .null where allowNull: return .null
        default: throw Problem.invalidField(name, "'\(name)' must be a string or an integer\(allowNull ? " (or null to clear it)" : ""), not \(typeName)")
        }
    }

    /// A list of strings (tags, watchers).
    func strings(_ name: String) throws(Problem) -> [String] {
        guard case .array(let items) = self else { throw Problem.invalidField(name, "'\(name)' must be an array of strings, not \(typeName)") }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw Problem.invalidField("\(name)[\(index)]", "'\(name)[\(index)]' must be a string, not \(item.typeName)")
            }
            result.append(text)
        }
        return result
    }
}

/// The fields of a create or an edit, from a JSON object: every member but `reserved` names a
/// field (`title`, `status`, … `custom.NAME`, or `custom: {NAME: value}`).
func fieldWrites(_ object: [String: JSONValue], reserved: Set<String>, allowNull: Bool) throws(Problem) -> [(FieldKey, FieldValue)] {
    var writes: [(FieldKey, FieldValue)] = []
    for name in object.keys.sorted() where !reserved.contains(name) {
        let value = object[name]!
        if name == "custom" {
            guard case .object(let custom) = value else { throw Problem.invalidField("custom", "'custom' must be an object of NAME: value") }
            for inner in custom.keys.sorted() {
                writes.append((try fieldKey("custom." + inner), try custom[inner]!.fieldValue("custom." + inner, allowNull: allowNull)))
            }
            continue
        }
        writes.append((try fieldKey(name), try value.fieldValue(name, allowNull: allowNull)))
    }
    return writes
}

func fieldKey(_ name: String) throws(Problem) -> FieldKey {
    let key: FieldKey
    do {
        key = try FieldKey(parsing: name)
    } catch {
        throw Problem.invalidField(name, error.message)
    }
    if key.isServerOwned {
        throw Problem(.forbidden, "server-owned-field", "'\(name)' is owned by the server (SLA clocks); integrations cannot write it", field: name)
    }
    return key
}
