/// What a credential is for. Each kind is accepted at one door only: a station credential on
/// `/v1/sync`, an integration key on the HTTP API, a dashboard credential at the dashboard's login.
public struct CredentialKind: Hashable, Sendable, CustomStringConvertible {
    /// The stored name.
    public let rawValue: String
    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// A station that syncs over `/v1/sync`.
    public static let station = CredentialKind("station")
    /// An integration (web shop, WMS, carrier feed) that calls the HTTP API with `Authorization: Bearer`.
    public static let integration = CredentialKind("integration")
    /// A person who opens the dashboard.
    public static let dashboard = CredentialKind("dashboard")
    /// Every kind.
    public static let all: [CredentialKind] = [.station, .integration, .dashboard]

    /// The kind with this name, or nil.
    public init?(named name: some StringProtocol) {
        guard let kind = Self.all.first(where: { $0.rawValue == name }) else { return nil }
        self = kind
    }

    public var description: String { rawValue }
}
