/// One comment as a CRDT: its creation (once seen), a last-writer-wins body, and a delete
/// tombstone. Edits or deletes that arrive before the comment itself are kept and take effect
/// when it arrives, so delivery order never matters.
struct CommentState: Hashable, Sendable {
    /// The operation that made the comment, once seen.
    var created: Created?
    /// The current body: the create's or the latest edit's.
    var body: Register?
    /// The latest delete; a deleted comment stays in history but is not shown as live.
    var deleted: Stamp?

    struct Created: Hashable, Sendable {
        var author: Author
        var timestamp: Timestamp
        var visibility: CommentVisibility
    }
}
