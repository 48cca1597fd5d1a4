internal import Yams
internal import TicketModel

extension PolicySet {
    /// Parses and checks a policy file (YAML). Every problem found is reported with its line and
    /// column; nothing is partially accepted. The format is in `docs/sla.md`:
    ///
    ///     calendars:
    ///       dfw:
    ///         time_zone: America/Chicago
    ///         hours: { mon-fri: 08:00-18:00, sat: 09:00-13:00 }
    ///         holidays: [2026-12-25]
    ///     policies:
    ///       - id: urgent
    ///         match: { priority: [urgent] }
    ///         calendar: 24x7
    ///         targets: { first_response: 15m, resolution: 4h }
    ///       - id: standard
    ///         calendar: dfw
    ///         targets: { first_response: 2h, next_response: 4h, resolution: 2d }
    ///         escalation:
    ///           - { tier: 1, limit: 2h, group: frontline, notify: [ops-chat] }
    ///           - { tier: 2, limit: 8h, group: supervisors }
    ///           - { tier: 3, limit: 24h, group: management }
    public init(yaml: String, file: String = "policies.yaml") throws(PolicyFileError) {
        var parser = PolicyFileParser()
        let policies = parser.parse(yaml)
        if parser.problems.isEmpty, let policies {
            do {
                self = try PolicySet(policies: policies)
                return
            } catch {
                parser.problems.append(PolicyProblem(line: 1, column: 1, error: error))
            }
        }
        throw PolicyFileError(file: file, problems: parser.problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
    }
}

/// The parser behind ``PolicySet/init(yaml:file:)``: walks Yams' node tree (which keeps each
/// node's position) and collects every problem rather than stopping at the first.
struct PolicyFileParser {
    var problems: [PolicyProblem] = []
    private var calendars: [String: BusinessCalendar] = [:]

    static let topKeys = ["calendars", "policies"]
    static let calendarKeys = ["time_zone", "hours", "holidays"]
    static let policyKeys = ["id", "match", "calendar", "targets", "pause_statuses", "warning_at", "escalation"]
    static let matchKeys = ["priority", "category", "site", "group", "tags"]
    static let targetKeys = ["first_response", "next_response", "periodic_update", "resolution"]
    static let tierKeys = ["tier", "limit", "group", "notify"]

    mutating func parse(_ text: String) -> [SLAPolicy]? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            report(error)
            return nil
        } catch {
            problems.append(PolicyProblem(line: 1, column: 1, error: SLAConfigurationError(.syntax, "not valid YAML: \(error)")))
            return nil
        }
        guard let root, let top = mapping(root, "the file", keys: Self.topKeys) else {
            if root == nil {
                add(nil, .missingKey, "the file is empty; it needs a 'policies:' list (see docs/sla.md)")
            }
            return nil
        }
        if let node = top["calendars"] { parseCalendars(node) }
        guard let list = top["policies"] else {
            add(root, .missingKey, "no 'policies:' list; add one, ending with a policy that has no 'match'")
            return nil
        }
        guard case .sequence(let sequence) = list else {
            add(list, .wrongType, "'policies' must be a list of policies (lines starting with '- id: ...')")
            return nil
        }
        var policies: [SLAPolicy] = []
        var nodes: [Node] = []
        for node in sequence {
            if let policy = parsePolicy(node) {
                policies.append(policy)
                nodes.append(node)
            }
        }
        guard problems.isEmpty else { return nil }
        if policies.isEmpty {
            add(list, .missingKey, "the 'policies' list is empty; add at least one policy without 'match'")
            return nil
        }
        // Problems of the set as a whole, placed at the policy (and part) they concern.
        for problem in PolicySet.problems(in: policies) {
            let node = nodes[min(problem.policy, nodes.count - 1)]
            var place = node
            if let part = problem.part, case .mapping(let policyMap) = node, let partNode = policyMap[part] {
                place = partNode
                if let tierIndex = problem.tierIndex, case .sequence(let tiers) = partNode, tierIndex < tiers.count {
                    place = tiers[tierIndex]
                }
            }
            add(place, problem.error.code, problem.error.message)
        }
        return problems.isEmpty ? policies : nil
    }

    // MARK: Calendars

    private mutating func parseCalendars(_ node: Node) {
        guard case .mapping(let map) = node else {
            add(node, .wrongType, "'calendars' must map calendar names to their settings (name: then time_zone:, hours:, holidays:)")
            return
        }
        for (nameNode, value) in map {
            guard let name = scalar(nameNode), PolicyDigest.isToken(name) else {
                add(nameNode, .wrongType, "calendar name '\(scalar(nameNode)?.prefix(40) ?? "?")' must be 1-64 characters of a-z, 0-9, _ or -")
                continue
            }
            if name == "24x7" {
                add(nameNode, .badReference, "'24x7' is built in; give your calendar another name")
                continue
            }
            if let calendar = parseCalendar(name, value) { calendars[name] = calendar }
        }
    }

    private mutating func parseCalendar(_ name: String, _ node: Node) -> BusinessCalendar? {
        guard let map = mapping(node, "calendar '\(name)'", keys: Self.calendarKeys) else { return nil }
        guard let zoneNode = map["time_zone"] else {
            add(node, .missingKey, "calendar '\(name)' needs 'time_zone:' (an IANA name such as America/New_York)")
            return nil
        }
        guard let zone = text(zoneNode, "time_zone") else { return nil }
        var holidays: [LocalDate] = []
        if let holidayNode = map["holidays"] {
            for item in list(holidayNode, "holidays") {
                guard let raw = scalar(item), let date = LocalDate(parsing: raw) else {
                    add(item, .badDate, "holiday '\(scalar(item)?.prefix(40) ?? "?")' is not a date; write YYYY-MM-DD, e.g. 2026-12-25")
                    continue
                }
                holidays.append(date)
            }
        }
        guard let hoursNode = map["hours"] else {
            add(node, .missingKey, "calendar '\(name)' needs 'hours:' (e.g. mon-fri: 08:00-17:00, or 24x7)")
            return nil
        }
        let problemCount = problems.count
        if scalar(hoursNode) == "24x7" {
            return build(zoneNode) { () throws(SLAConfigurationError) in
                try BusinessCalendar.alwaysOpen(name: name, timeZone: zone, holidays: holidays)
            }
        }
        guard case .mapping(let hours) = hoursNode else {
            add(hoursNode, .wrongType, "'hours' must map days to windows, e.g. mon-fri: 08:00-17:00, or be 24x7")
            return nil
        }
        var windows: [WorkingWindow] = []
        for (daysNode, windowsNode) in hours {
            guard let days = parseDays(daysNode) else { continue }
            let items: [Node]
            if case .sequence(let sequence) = windowsNode { items = Array(sequence) } else { items = [windowsNode] }
            for item in items {
                guard let raw = scalar(item) else {
                    add(item, .wrongType, "a window must be text such as 08:00-17:00")
                    continue
                }
                for part in raw.split(separator: ",") {
                    for day in days {
                        do {
                            windows.append(try WorkingWindow(day: day, parsing: part.trimmingSpaces))
                        } catch {
                            add(item, error.code, error.message)
                            break
                        }
                    }
                }
            }
        }
        guard problems.count == problemCount else { return nil }
        do {
            return try BusinessCalendar(name: name, timeZone: zone, windows: windows, holidays: holidays)
        } catch {
            add(error.code == .badTimeZone ? zoneNode : hoursNode, error.code, error.message)
            return nil
        }
    }

    /// `mon`, `mon-fri`, `sat,sun`, `daily`, `weekdays`, `weekends`.
    private mutating func parseDays(_ node: Node) -> [Weekday]? {
        guard let raw = scalar(node) else {
            add(node, .wrongType, "a day key must be text such as mon, mon-fri or sat,sun")
            return nil
        }
        var days: [Weekday] = []
        for part in raw.split(separator: ",").map({ $0.trimmingSpaces }) {
            switch part {
            case "daily": days += Weekday.allCases
            case "weekdays": days += [.monday, .tuesday, .wednesday, .thursday, .friday]
            case "weekends": days += [.saturday, .sunday]
            default:
                let ends = part.split(separator: "-", omittingEmptySubsequences: false)
                if ends.count == 1, let day = Weekday(shortName: ends[0]) {
                    days.append(day)
                } else if ends.count == 2, let first = Weekday(shortName: ends[0]), let last = Weekday(shortName: ends[1]),
                    first <= last
                {
                    days += Weekday.allCases.filter { $0 >= first && $0 <= last }
                } else {
                    add(
                        node, .wrongType,
                        "unknown days '\(raw.prefix(40))'; write mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, a list such as sat,sun, or daily, weekdays, weekends"
                    )
                    return nil
                }
            }
        }
        return days
    }

    private mutating func build(_ node: Node, _ make: () throws(SLAConfigurationError) -> BusinessCalendar) -> BusinessCalendar? {
        do {
            return try make()
        } catch {
            add(node, error.code, error.message)
            return nil
        }
    }

    // MARK: Policies

    private mutating func parsePolicy(_ node: Node) -> SLAPolicy? {
        guard let map = mapping(node, "a policy", keys: Self.policyKeys) else { return nil }
        let before = problems.count
        guard let idNode = map["id"] else {
            add(node, .missingKey, "this policy has no 'id:'; give it a name such as standard or urgent")
            return nil
        }
        let id = text(idNode, "id") ?? ""
        var match = PolicyMatch()
        if let matchNode = map["match"], let matchMap = mapping(matchNode, "'match'", keys: Self.matchKeys) {
            if let node = matchMap["priority"] {
                for item in list(node, "priority") {
                    guard let raw = scalar(item), let priority = TicketPriority(rawValue: raw) else {
                        add(
                            item, .unknownValue,
                            "unknown priority '\(scalar(item)?.prefix(40) ?? "?")'; use one of \(TicketPriority.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                        continue
                    }
                    match.priorities.insert(priority)
                }
            }
            for (key, keyPath) in [
                ("category", \PolicyMatch.categories), ("site", \.sites), ("group", \.groups), ("tags", \.tags),
            ] as [(String, WritableKeyPath<PolicyMatch, Set<String>>)] {
                guard let node = matchMap[key] else { continue }
                for item in list(node, key) {
                    guard let raw = scalar(item), !raw.isEmpty else {
                        add(item, .wrongType, "'\(key)' takes text values")
                        continue
                    }
                    match[keyPath: keyPath].insert(raw)
                }
            }
            if match.isCatchAll && problems.count == before {
                add(matchNode, .missingKey, "'match' has no conditions; leave 'match' out for a catch-all policy")
            }
        }
        var calendar = BusinessCalendar.alwaysOpen
        if let calendarNode = map["calendar"], let name = text(calendarNode, "calendar"), name != "24x7" {
            if let found = calendars[name] {
                calendar = found
            } else {
                let known = (["24x7"] + calendars.keys.sorted()).joined(separator: ", ")
                add(calendarNode, .badReference, "unknown calendar '\(name.prefix(40))'; define it under 'calendars:' or use one of: \(known)")
            }
        }
        var targets = SLATargets()
        if let targetsNode = map["targets"], let targetMap = mapping(targetsNode, "'targets'", keys: Self.targetKeys) {
            for key in Self.targetKeys {
                guard let node = targetMap[key], let value = duration(node) else { continue }
                switch key {
                case "first_response": targets.firstResponse = value
                case "next_response": targets.nextResponse = value
                case "periodic_update": targets.periodicUpdate = value
                default: targets.resolution = value
                }
            }
        }
        var pauses = SLAPolicy.defaultPauseStatuses
        if let node = map["pause_statuses"] {
            pauses = []
            for item in list(node, "pause_statuses") {
                guard let raw = scalar(item), let status = TicketStatus(rawValue: raw) else {
                    add(
                        item, .unknownValue,
                        "unknown status '\(scalar(item)?.prefix(40) ?? "?")'; pause statuses are among \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                    continue
                }
                pauses.insert(status)
            }
        }
        var warning = SLAPolicy.defaultWarningThreshold
        if let node = map["warning_at"] {
            if let value = fraction(node) { warning = value }
        }
        var tiers: [EscalationTier] = []
        if let node = map["escalation"] {
            guard case .sequence(let sequence) = node else {
                add(node, .wrongType, "'escalation' must be a list of tiers ('- tier: 1' lines)")
                return nil
            }
            for item in sequence {
                if let tier = parseTier(item) { tiers.append(tier) }
            }
        }
        guard problems.count == before else { return nil }
        return SLAPolicy(
            id: id, match: match, calendar: calendar, targets: targets, pauseStatuses: pauses, warningThreshold: warning,
            escalation: tiers
        )
    }

    private mutating func parseTier(_ node: Node) -> EscalationTier? {
        guard let map = mapping(node, "a tier", keys: Self.tierKeys) else { return nil }
        for key in ["tier", "limit", "group"] where map[key] == nil {
            add(node, .missingKey, "this tier has no '\(key):'; a tier needs tier, limit and group (notify is optional)")
            return nil
        }
        guard let numberText = scalar(map["tier"]!), let number = Int(numberText), number >= 1 else {
            add(map["tier"]!, .badTiers, "tier '\(scalar(map["tier"]!)?.prefix(20) ?? "?")' must be a whole number from 1")
            return nil
        }
        guard let limit = duration(map["limit"]!), let group = text(map["group"]!, "group") else { return nil }
        var notify: [String] = []
        if let node = map["notify"] {
            for item in list(node, "notify") {
                if let name = scalar(item) { notify.append(name) } else { add(item, .wrongType, "'notify' takes endpoint names") }
            }
        }
        return EscalationTier(tier: number, limitMillis: limit, group: group, notify: notify)
    }

    // MARK: Values

    private mutating func duration(_ node: Node) -> UInt64? {
        guard let raw = scalar(node) else {
            add(node, .badDuration, "a duration must be text such as 30s, 90m, 2h or 1d")
            return nil
        }
        do {
            return try SLADuration.parse(raw)
        } catch {
            add(node, error.code, error.message)
            return nil
        }
    }

    /// `75%` or `0.75`.
    private mutating func fraction(_ node: Node) -> Double? {
        guard let raw = scalar(node) else {
            add(node, .wrongType, "'warning_at' must be a percentage such as 75% or a fraction such as 0.75")
            return nil
        }
        let value: Double?
        if raw.hasSuffix("%") { value = Double(raw.dropLast()).map { $0 / 100 } } else { value = Double(raw) }
        guard let value, value > 0, value < 1 else {
            add(node, .outOfRange, "warning threshold '\(raw.prefix(20))' must be between 0 and 100% (exclusive), e.g. 75% or 0.75")
            return nil
        }
        return value
    }

    private func scalar(_ node: Node) -> String? {
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }

    private mutating func text(_ node: Node, _ key: String) -> String? {
        guard let value = scalar(node), !value.isEmpty else {
            add(node, .wrongType, "'\(key)' takes a text value")
            return nil
        }
        return value
    }

    /// A list's items; a single scalar counts as a list of one.
    private mutating func list(_ node: Node, _ key: String) -> [Node] {
        switch node {
        case .sequence(let sequence): return Array(sequence)
        case .scalar: return [node]
        default:
            add(node, .wrongType, "'\(key)' takes a value or a list of values")
            return []
        }
    }

    /// A mapping whose keys are all known: unknown keys are reported (with the known ones).
    private mutating func mapping(_ node: Node, _ what: String, keys: [String]) -> [String: Node]? {
        guard case .mapping(let map) = node else {
            add(node, .wrongType, "\(what) must be 'key: value' lines (keys: \(keys.joined(separator: ", ")))")
            return nil
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in map {
            guard let key = scalar(keyNode), keys.contains(key) else {
                let name = scalar(keyNode) ?? "?"
                let hint = keys.first { $0.hasPrefix(String(name.prefix(3))) }.map { " (did you mean '\($0)'?)" } ?? ""
                add(keyNode, .unknownKey, "unknown key '\(name.prefix(40))' in \(what)\(hint); known keys: \(keys.joined(separator: ", "))")
                continue
            }
            result[key] = value
        }
        return result
    }

    private mutating func add(_ node: Node?, _ code: SLAConfigurationError.Code, _ message: String) {
        let mark = node?.mark
        problems.append(PolicyProblem(line: mark?.line ?? 1, column: mark?.column ?? 1, error: SLAConfigurationError(code, message)))
    }

    private mutating func report(_ error: YamlError) {
        let mark: Mark?
        let problem: String
        switch error {
        case .scanner(_, let text, let at, _), .parser(_, let text, let at, _), .composer(_, let text, let at, _):
            mark = at
            problem = text
        case .duplicatedKeysInMapping(let duplicates, let context):
            mark = context.mark
            problem = "the key\(duplicates.count == 1 ? "" : "s") \(duplicates.joined(separator: ", ")) appear\(duplicates.count == 1 ? "s" : "") twice in one mapping"
        default:
            mark = nil
            problem = "\(error)"
        }
        problems.append(
            PolicyProblem(
                line: mark?.line ?? 1, column: mark?.column ?? 1,
                error: SLAConfigurationError(.syntax, "not valid YAML: \(problem); check the indentation and quoting near here")
            )
        )
    }
}
