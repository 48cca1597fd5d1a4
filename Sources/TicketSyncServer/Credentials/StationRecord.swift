public import TicketModel

/// A station credential as the server keeps it: the secret only as a hash.
public struct StationRecord: Hashable, Sendable {
    /// The credential's name.
    public var name: String
    /// What the station may see and write.
    public var scopes: [Scope]
    /// The replica id bound to the credential on its first session.
    public var replica: ReplicaID?
    /// Whether the credential was revoked.
    public var revoked: Bool
    /// When it was made (milliseconds since the Unix epoch).
    public var createdMillis: UInt64
    /// What the credential is for (a station, an integration, the dashboard).
    public var kind: CredentialKind

    /// Creates a record.
    public init(
        name: String, scopes: [Scope], replica: ReplicaID?, revoked: Bool, createdMillis: UInt64, kind: CredentialKind = .station
    ) {
        self.kind = kind
        self.name = name
        self.scopes = scopes
        self.replica = replica
        self.revoked = revoked
        self.createdMillis = createdMillis
    }
}
