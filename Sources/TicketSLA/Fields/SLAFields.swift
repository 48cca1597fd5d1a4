public import TicketModel

/// The server-owned `sla.*` fields: how a server records an evaluation on the ticket (as
/// server-authored `set` operations that sync to every station) and how a station reads the
/// confirmed clocks back.
///
/// | field | value |
/// |---|---|
/// | `sla.policy` | text: the policy id |
/// | `sla.version` | text: the policy set's version |
/// | `sla.evaluated_at` | integer: the instant evaluated at (Unix ms) |
/// | `sla.tier` | integer: the tier the escalation matrix calls for |
/// | `sla.first_response`, `sla.next_response`, `sla.resolution` | text: a clock record |
///
/// A clock record is `key=value` pairs joined by `;`, in this order, absent ones left out:
/// `state` (a ``SLAClockState`` name), `cycle`, `target`, `elapsed`, `paused` (business ms),
/// `started`, `stopped`, `due`, `warning`, `declared` (Unix ms). For example
/// `state=breached;cycle=1;target=3600000;elapsed=3600000;paused=0;started=1772445600000;due=1772449200000`.
/// Unknown keys are ignored when read, so records may grow. Writing a record whose state is
/// `breached` declares the breach: from then on evaluation keeps it (see ``SLAClockState/metReportedLate``);
/// its `declared` time is the record's own `declared` value, else the counted time of the
/// operation that wrote it.
public enum SLAFields {
    /// `sla.policy`.
    public static let policy = FieldKey.sla("policy")
    /// `sla.version`.
    public static let version = FieldKey.sla("version")
    /// `sla.evaluated_at`.
    public static let evaluatedAt = FieldKey.sla("evaluated_at")
    /// `sla.tier`.
    public static let tier = FieldKey.sla("tier")

    /// The field holding a metric's clock: `sla.first_response`, `sla.next_response`, `sla.resolution`.
    public static func field(for metric: SLAMetric) -> FieldKey { FieldKey.sla(metric.rawValue) }

    /// The metric whose clock a field holds, if it is one.
    public static func metric(of field: FieldKey) -> SLAMetric? {
        guard field.isServerOwned else { return nil }
        return SLAMetric(named: field.name.dropFirst("sla.".count))
    }

    /// The field values recording `evaluation` (next response: its latest cycle).
    public static func values(of evaluation: SLAEvaluation) -> [FieldKey: FieldValue] {
        var values: [FieldKey: FieldValue] = [
            policy: .text(evaluation.policyID),
            version: .text(evaluation.policyVersion),
            evaluatedAt: .integer(Int64(clamping: evaluation.evaluatedAtMillis)),
            tier: .integer(Int64(evaluation.tier)),
        ]
        for metric in SLAMetric.all {
            if let clock = evaluation.clock(metric) { values[field(for: metric)] = record(of: clock) }
        }
        return values
    }

    /// A clock's record, as a field value.
    public static func record(of clock: SLAClock) -> FieldValue {
        .text(ClockRecord(clock).text)
    }

    /// A clock read back from its field's value; nil if the value is not a record.
    public static func clock(_ metric: SLAMetric, from value: FieldValue) -> SLAClock? {
        value.text.flatMap(ClockRecord.init(parsing:))?.clock(metric)
    }

    /// The confirmed SLA state of a ticket as its server last recorded it, or nil if the server
    /// has written none. Deadlines are not recorded, so the result has none.
    public static func confirmed(_ ticket: Ticket) -> SLAEvaluation? {
        guard let policyID = ticket.fields[policy]?.text else { return nil }
        let clocks = SLAMetric.all.compactMap { metric in ticket.fields[field(for: metric)].flatMap { clock(metric, from: $0) } }
        return SLAEvaluation(
            ticket: ticket.id, policyID: policyID, policyVersion: ticket.fields[version]?.text ?? "",
            evaluatedAtMillis: UInt64(clamping: ticket.fields[evaluatedAt]?.integer ?? 0), clocks: clocks,
            tier: Int(clamping: ticket.fields[tier]?.integer ?? 1), currentTier: ticket.tier, deadlines: []
        )
    }

    /// Which clock a declaration names.
    struct ClockKey: Hashable {
        var metric: SLAMetric
        var cycle: Int
    }

    /// The parsed form of a clock record.
    struct ClockRecord {
        var state: SLAClockState
        var cycle: Int
        var target: UInt64
        var elapsed: UInt64
        var paused: UInt64
        var started: UInt64
        var stopped: UInt64?
        var due: UInt64?
        var warning: UInt64?
        var declaredBreachMillis: UInt64?

        init(_ clock: SLAClock) {
            state = clock.state
            cycle = clock.cycle
            target = clock.targetMillis
            elapsed = clock.elapsedMillis
            paused = clock.pausedMillis
            started = clock.startedMillis
            stopped = clock.stoppedMillis
            due = clock.dueMillis
            warning = clock.warningMillis
            declaredBreachMillis = clock.declaredBreachMillis
        }

        /// Reads a record's text (`state=…;cycle=…;…`): the keys in any order, unknown ones
        /// ignored, the last of a repeated key kept. Parsed on every plan for every clock record
        /// in a ticket's history, so it reads the pairs in place with no dictionary.
        init?(parsing text: String) {
            var stateName: Substring?
            var target: UInt64?
            var cycle: UInt64?, elapsed: UInt64?, paused: UInt64?, started: UInt64?
            var stopped: UInt64?, due: UInt64?, warning: UInt64?, declared: UInt64?
            for pair in text.split(separator: ";") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let key = pair[..<equals]
                let value = pair[pair.index(after: equals)...]
                if key == "state" {
                    stateName = value
                    continue
                }
                guard let number = UInt64(value) else { continue }
                switch key {
                case "target": target = number
                case "cycle": cycle = number
                case "elapsed": elapsed = number
                case "paused": paused = number
                case "started": started = number
                case "stopped": stopped = number
                case "due": due = number
                case "warning": warning = number
                case "declared": declared = number
                default: continue
                }
            }
            guard let stateName, let state = SLAClockState(named: stateName), let target else { return nil }
            self.state = state
            self.cycle = Int(clamping: cycle ?? 1)
            self.target = target
            self.elapsed = elapsed ?? 0
            self.paused = paused ?? 0
            self.started = started ?? 0
            self.stopped = stopped
            self.due = due
            self.warning = warning
            self.declaredBreachMillis = declared
        }

        var text: String {
            var parts = ["state=\(state.rawValue)", "cycle=\(cycle)", "target=\(target)", "elapsed=\(elapsed)", "paused=\(paused)", "started=\(started)"]
            for (key, value) in [("stopped", stopped), ("due", due), ("warning", warning), ("declared", declaredBreachMillis)] {
                if let value { parts.append("\(key)=\(value)") }
            }
            return parts.joined(separator: ";")
        }

        func clock(_ metric: SLAMetric) -> SLAClock {
            SLAClock(
                metric: metric, state: state, cycle: cycle, targetMillis: target, elapsedMillis: elapsed, pausedMillis: paused,
                startedMillis: started, stoppedMillis: stopped, dueMillis: due, warningMillis: warning,
                declaredBreachMillis: declaredBreachMillis
            )
        }
    }
}
