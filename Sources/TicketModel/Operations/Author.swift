/// Who made an operation. SLA rules depend on it: a public comment by an agent is a response,
/// one by the requester starts a new next-response cycle, and only the server writes SLA state.
public struct Author: Hashable, Sendable, CustomStringConvertible {
    /// What kind of actor made the operation.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// The kind's stable name.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// A person working tickets at a station or through the CLI.
        public static let agent = Kind("agent")
        /// The customer or other requester, through an integration.
        public static let requester = Kind("requester")
        /// A system acting for itself: the web shop, the WMS, a carrier feed.
        public static let integration = Kind("integration")
        /// A TicketSync server node (SLA timers, escalations).
        public static let server = Kind("server")

        /// Every kind, in wire order (the index is the wire value).
        public static let all: [Kind] = [.agent, .requester, .integration, .server]

        /// The kind with this name, or nil.
        public init?(named name: String) {
            guard let kind = Self.all.first(where: { $0.rawValue == name }) else { return nil }
            self = kind
        }

        public var description: String { rawValue }
    }

    /// The kind of actor.
    public var kind: Kind
    /// The actor's name: an agent's handle, an integration's name, a server node's name.
    public var name: String

    /// Creates an author.
    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// An agent with this handle.
    public static func agent(_ name: String) -> Author { Author(.agent, name) }

    /// `kind:name`.
    public var description: String { "\(kind.rawValue):\(name)" }
}
