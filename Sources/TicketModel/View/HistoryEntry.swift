/// One line of a ticket's history: an operation and, for field writes, what became of it.
public struct HistoryEntry: Hashable, Sendable {
    /// What became of a field write.
    public enum Outcome: Hashable, Sendable {
        /// The field has no value at all (only possible for a write this replica has not applied).
        case none
        /// The value shown now.
        case current
        /// Someone saw this value and replaced it.
        case overwritten(by: OperationID)
        /// Written concurrently with the value shown now (no replica saw it before writing), and
        /// lost the last-writer-wins tie-break: kept here so nothing entered is invisible.
        case lostConcurrently(to: OperationID)
    }

    /// The operation.
    public var operation: TicketOperation
    /// For a `set`, what became of it; for a `create`, of each of its fields. Empty for operations
    /// that write no field (tags, comments, escalations).
    public var outcomes: [FieldKey: Outcome]
}

extension TicketReplica {
    /// A ticket's history, oldest first by clock reading: who changed what, when, from which
    /// replica, including concurrent values that lost.
    public func history(of ticket: TicketID) -> [HistoryEntry] {
        guard let state = tickets[ticket] else { return [] }
        var overwrittenBy: [FieldOverwrite: OperationID] = [:]
        for op in state.operations {
            if case .set(let field, _, let overwrites?) = op.payload {
                let key = FieldOverwrite(field: field, target: overwrites)
                if let existing = overwrittenBy[key], existing < op.id { continue }
                overwrittenBy[key] = op.id
            }
        }
        func outcome(_ field: FieldKey, _ op: TicketOperation) -> HistoryEntry.Outcome {
            guard let current = state.register(field)?.stamp.id else { return .none }
            if current == op.id { return .current }
            if let by = overwrittenBy[FieldOverwrite(field: field, target: op.id)] { return .overwritten(by: by) }
            return .lostConcurrently(to: current)
        }
        return state.operations.sorted { $0.stamp < $1.stamp }.map { op in
            var outcomes: [FieldKey: HistoryEntry.Outcome] = [:]
            switch op.payload {
            case .set(let field, _, _):
                outcomes[field] = outcome(field, op)
            case .create(let fields):
                for field in fields.keys { outcomes[field] = outcome(field, op) }
            default:
                break
            }
            return HistoryEntry(operation: op, outcomes: outcomes)
        }
    }
}

private struct FieldOverwrite: Hashable {
    var field: FieldKey
    var target: OperationID
}
