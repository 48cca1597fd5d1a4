internal import Foundation

/// How both stores keep a credential's scopes and kind: scopes as a JSON array of their texts
/// (a site or team code may hold any character), the kind by name.
extension StationRecord {
    /// The stored text of `scopes`.
    package static func storedScopes(_ scopes: [Scope]) throws(ServerError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(scopes.map(\.description)), as: UTF8.self)
        } catch {
            throw ServerError(.storage, "the scopes could not be encoded: \(error)")
        }
    }

    /// The scopes in a stored text.
    package static func scopes(stored text: String, station: String) throws(ServerError) -> [Scope] {
        let texts: [String]
        do {
            texts = try JSONDecoder().decode([String].self, from: Data(text.utf8))
        } catch {
            throw ServerError(.storage, "the stored scopes of station '\(station)' are damaged; revoke it and add it again")
        }
        return try texts.map { text throws(ServerError) in try Scope(parsing: text) }
    }

    /// The kind in a stored name.
    package static func kind(stored text: String, station: String) throws(ServerError) -> CredentialKind {
        guard let kind = CredentialKind(named: text) else {
            throw ServerError(.storage, "credential '\(station)' has the unknown kind '\(text.prefix(40))'; it was written by a newer ticketsyncd")
        }
        return kind
    }
}
