public import Foundation
public import TicketSyncServer

/// Where a PostgreSQL server store lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE]`
/// (`postgresql://` too). The password may instead come from the environment (`PGPASSWORD`).
/// ``description`` never shows the password, so the value can be logged.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    /// How the connection uses TLS, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, Hashable {
        /// Plain TCP (loopback, or a private network you trust).
        case disable
        /// TLS if the server offers it (libpq's default).
        case prefer
        /// TLS or no connection; the server's certificate is verified against the system's trust roots.
        case require
    }

    /// The role to connect as.
    public var user: String
    /// The role's password, if any (never printed).
    public var password: String?
    /// Host name or address.
    public var host: String
    /// TCP port (default 5432).
    public var port: Int
    /// The database holding the store.
    public var database: String
    /// TLS use.
    public var tls: TLSMode

    /// Parses a URL; `environment` supplies `PGPASSWORD` when the URL has no password. Throws
    /// `invalidArgument` naming the part that is wrong (the password is never quoted).
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ServerError) {
        func fail(_ problem: String) -> ServerError {
            ServerError(
                .invalidArgument,
                "database URL '\(DatabaseURL.redacted(text).prefix(200))' \(problem); "
                    + "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]"
            )
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw fail("is not a postgres:// URL") }
        guard let user = components.user, !user.isEmpty else { throw fail("names no user (postgres://USER@HOST/DATABASE)") }
        guard let host = components.host, !host.isEmpty else { throw fail("names no host") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw fail("names no database (the path after the host)") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw fail("has port \(port), outside 1-65535") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw fail("has sslmode '\(item.value ?? "")', which is not disable, prefer or require")
                }
                tls = mode
            default:
                throw fail("has the unknown parameter '\(item.name)' (only sslmode is understood)")
            }
        }
        // URLComponents has already percent-decoded user, password and path.
        self.user = user
        self.password = components.password ?? environment["PGPASSWORD"]
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.database = database
        self.tls = tls
    }

    /// The URL without its password: `postgres://USER@HOST:PORT/DATABASE`.
    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "postgres://\(user)@\(host):\(port)/\(database)" + (tls == .prefer ? "" : "?sslmode=\(tls.rawValue)")
    }

    /// `text` with anything between `://USER:` and `@` replaced, for error messages.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return text }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
