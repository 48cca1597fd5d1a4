package import TicketModel

/// Firing a batch of claimed timers, the part every store does the same way in memory. The store
/// reads what the batch needs in a few statements (which claims still hold their attempt, which
/// tickets have operations the planner has not read, each ticket's history and state), this
/// decides every claim in order, and the store writes the results, again in a few statements:
/// the server operations, the webhook rows, the completions.
///
/// Two timers of one ticket in a batch see each other: the second is decided on the ticket's
/// history and state with the first's operations already in them, as if fired one at a time.
package enum TimerFiring {
    /// One ticket as the batch reads and changes it.
    package struct Ticket: Sendable {
        /// Its history (with the batch's own operations appended as they are made) and fields.
        package var context: SLATicketContext
        /// Its stored state (nil if the store does not hold the ticket).
        package var state: TicketState?

        /// The ticket as read: its `history`, and its fields and placement from its stored
        /// `state` (none before its create has arrived).
        package init(ticket: TicketID, history: [SLALogEntry], state: TicketState?) {
            context = SLATicketContext(ticket: ticket, history: history, current: nil, placement: TicketPlacement(site: nil, team: nil))
            self.state = nil
            if let state { follow(state) }
        }

        /// The ticket after the batch wrote `entries` to it, leaving `state`.
        package mutating func wrote(_ entries: [SLALogEntry], leaving state: TicketState) {
            context.history += entries
            follow(state)
        }

        private mutating func follow(_ state: TicketState) {
            self.state = state
            context.current = state.created != nil ? state.view : nil
            context.placement = state.placement
        }
    }

    /// The claims split by what the store found.
    package struct Split: Sendable {
        /// Claims to fire, in order.
        package var firing: [TimerClaim] = []
        /// Claims to hand back unfired: their ticket has operations the planner has not read.
        package var deferred: [TimerClaim] = []
        /// Claims that lost their attempt number: nothing is written for them.
        package var fenced = 0
    }

    /// Splits `claims` by whether each still holds its attempt (`held`, by timer id) and whether
    /// its ticket has unplanned station operations (`unplanned`).
    package static func split(_ claims: [TimerClaim], held: Set<Int64>, unplanned: Set<TicketID>) -> Split {
        var split = Split()
        for claim in claims {
            if !held.contains(claim.id) {
                split.fenced += 1
            } else if unplanned.contains(claim.ticket) {
                split.deferred.append(claim)
            } else {
                split.firing.append(claim)
            }
        }
        return split
    }

    /// What firing decided, for the store to write.
    package struct Decided: Sendable {
        /// Each fired claim with its outcome, to complete.
        package var completed: [(claim: TimerClaim, outcome: String)] = []
        /// Webhook events to queue, in order.
        package var events: [WebhookEvent] = []
        /// Server operations made.
        package var operations = 0
    }

    /// Decides `claims` in order on `tickets` (which must hold each claim's ticket). A claim's
    /// writes go through `write`, which makes them into operations on the ticket's state (the
    /// store writes or stages their rows) and returns them as log entries; they are appended to
    /// the ticket's history, and its fields follow the state, before the next claim is decided.
    package static func decide(
        _ claims: [TimerClaim], tickets: inout [TicketID: Ticket], decider: any SLADecider, now: UInt64,
        write: (_ payloads: [Payload], _ state: inout TicketState) throws -> [SLALogEntry]
    ) throws -> Decided {
        var decided = Decided()
        for claim in claims {
            guard var ticket = tickets[claim.ticket] else {
                throw ServerError(.storage, "timer \(claim.id) was fired without its ticket \(claim.ticket) read")
            }
            let effect = try decider.fire(claim, ticket.context, now: now)
            if ticket.context.current != nil, !effect.writes.isEmpty {
                guard var state = ticket.state else {
                    throw ServerError(.storage, "the SLA engine tried to write to ticket \(claim.ticket), which the store does not hold")
                }
                let entries = try write(effect.writes, &state)
                ticket.wrote(entries, leaving: state)
                tickets[claim.ticket] = ticket
                decided.operations += entries.count
            }
            decided.events += effect.events
            decided.completed.append((claim, effect.outcome))
        }
        return decided
    }
}
