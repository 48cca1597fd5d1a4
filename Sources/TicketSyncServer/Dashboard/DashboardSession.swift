public import Foundation
internal import Crypto

/// Dashboard sign-in: a session cookie, and short-lived sign-in links, both
/// `NAME.EXPIRY.MAC` with an HMAC-SHA256 under a key of this server's data directory
/// (`dashboard-session.key`, made on first use, mode 0600). The credential itself is checked
/// again on every request, so revoking it ends its sessions at once.
public struct DashboardSession: Sendable {
    let key: SymmetricKey

    /// How long a session lasts (12 hours).
    public static let sessionSeconds: UInt64 = 12 * 3600
    /// The cookie's name.
    static let cookie = "ticketsync_dashboard"

    /// Loads (or makes) the key in `dataDirectory`.
    public init(dataDirectory: String) throws(ServerError) {
        let path = (dataDirectory as NSString).appendingPathComponent("dashboard-session.key")
        do {
            if let data = FileManager.default.contents(atPath: path), data.count == 32 {
                key = SymmetricKey(data: data)
                return
            }
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            let fresh = SymmetricKey(size: .bits256)
            let bytes = fresh.withUnsafeBytes { Data($0) }
            guard FileManager.default.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
                throw ServerError(.storage, "cannot write \(path); check the data directory's permissions")
            }
            key = fresh
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(.storage, "cannot make the dashboard key in \(dataDirectory): \(error)")
        }
    }

    /// A token for `name` valid until `expiry` (seconds since the Unix epoch), for `purpose`.
    func token(_ name: String, expiry: UInt64, purpose: String) -> String {
        "\(name).\(expiry).\(mac(name, expiry, purpose))"
    }

    /// The name in a valid, unexpired token, or nil.
    func verify(_ token: String, purpose: String, nowSeconds: UInt64) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3, let expiry = UInt64(parts[parts.count - 2]), expiry > nowSeconds else { return nil }
        let name = parts.dropLast(2).joined(separator: ".")
        let expected = mac(name, expiry, purpose)
        guard expected.utf8.count == parts[parts.count - 1].utf8.count,
            zip(expected.utf8, parts[parts.count - 1].utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0
        else { return nil }
        return name
    }

    func mac(_ name: String, _ expiry: UInt64, _ purpose: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(purpose)|\(name)|\(expiry)".utf8), using: key)
        return code.map { String(format: "%02x", $0) }.joined()
    }

    /// A sign-in link for the dashboard credential `name`, valid `minutes`, under `base` (`https://host:port`).
    public func link(for name: String, minutes: UInt64, base: String, nowSeconds: UInt64) -> String {
        let token = token(name, expiry: nowSeconds + minutes * 60, purpose: "link")
        return base + "/login?link=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? token)
    }
}
