internal import TicketModel

extension TicketState {
    /// The state of `ticket` after `history` (its operations, in log order), with detail
    /// (comments): what the API edits and returns.
    static func replaying(_ history: [TicketOperation], of ticket: TicketID) -> TicketState {
        var state = TicketState(id: ticket)
        for op in history { state.apply(op) }
        return state
    }
}
