public import TicketModel

/// What a station may see and write: every ticket, the tickets of a site or a team, or named
/// tickets. A station holds one or more scopes; a ticket is in scope if any scope matches.
public struct Scope: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case all
        case site(String)
        case team(String)
        case ticket(TicketID)
    }

    let kind: Kind

    /// Every ticket.
    public static let all = Scope(kind: .all)
    /// The tickets whose `site` is `code`.
    public static func site(_ code: String) -> Scope { Scope(kind: .site(code)) }
    /// The tickets whose `group` is `name`.
    public static func team(_ name: String) -> Scope { Scope(kind: .team(name)) }
    /// One ticket.
    public static func ticket(_ id: TicketID) -> Scope { Scope(kind: .ticket(id)) }

    /// Parses `all`, `site:CODE`, `team:NAME` or `ticket:UUID`.
    public init(parsing text: String) throws(ServerError) {
        if text == "all" {
            self = .all
            return
        }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].utf8.count <= 256 else {
            throw ServerError(.invalidArgument, "scope '\(text.prefix(80))' is not all, site:CODE, team:NAME or ticket:UUID")
        }
        switch parts[0] {
        case "site": self = .site(parts[1])
        case "team": self = .team(parts[1])
        case "ticket":
            guard let id = TicketID(parts[1]) else {
                throw ServerError(.invalidArgument, "scope '\(text.prefix(80))': '\(parts[1].prefix(40))' is not a ticket id")
            }
            self = .ticket(id)
        default:
            throw ServerError(.invalidArgument, "scope '\(text.prefix(80))' is not all, site:CODE, team:NAME or ticket:UUID")
        }
    }

    private init(kind: Kind) { self.kind = kind }

    /// Whether a ticket placed at `placement` is in this scope.
    public func contains(_ ticket: TicketID, at placement: TicketPlacement?) -> Bool {
        switch kind {
        case .all: return true
        case .ticket(let id): return id == ticket
        case .site(let code): return placement?.site == code
        case .team(let name): return placement?.team == name
        }
    }

    public var description: String {
        switch kind {
        case .all: return "all"
        case .site(let code): return "site:\(code)"
        case .team(let name): return "team:\(name)"
        case .ticket(let id): return "ticket:\(id)"
        }
    }
}

/// Where a ticket sits, as far as scopes care: its site and team.
public struct TicketPlacement: Hashable, Sendable {
    /// The ticket's `site`, if set.
    public var site: String?
    /// The ticket's `group`, if set.
    public var team: String?

    /// Creates a placement.
    public init(site: String?, team: String?) {
        self.site = site
        self.team = team
    }
}

/// Scopes as a database can match them: the sites, teams and tickets they name.
public struct ScopeFilter: Sendable, Equatable {
    /// True if one scope is `all` (then the lists below do not matter).
    public var all = false
    /// Sites named by `site:` scopes.
    public var sites: [String] = []
    /// Teams named by `team:` scopes.
    public var teams: [String] = []
    /// Tickets named by `ticket:` scopes.
    public var tickets: [TicketID] = []
}

extension Array where Element == Scope {
    /// The scopes as lists a database query can match against.
    public var scopeFilter: ScopeFilter {
        var filter = ScopeFilter()
        for scope in self {
            switch scope.kind {
            case .all: filter.all = true
            case .site(let code): filter.sites.append(code)
            case .team(let name): filter.teams.append(name)
            case .ticket(let id): filter.tickets.append(id)
            }
        }
        return filter
    }

    /// Whether any scope contains the ticket.
    public func contains(_ ticket: TicketID, at placement: TicketPlacement?) -> Bool {
        contains { $0.contains(ticket, at: placement) }
    }
}

extension TicketState {
    /// Where the ticket sits as far as scopes care: its `site` and `group` text.
    package var placement: TicketPlacement {
        TicketPlacement(site: value(of: .site)?.text, team: value(of: .group)?.text)
    }
}

extension Ticket {
    /// Where the ticket sits as far as scopes care: its `site` and `group` text.
    public var placement: TicketPlacement {
        TicketPlacement(site: self[.site]?.text, team: self[.group]?.text)
    }
}
