import TicketModel

/// Short ticket ids for tables. UUIDv7 ids start with the creation time, so tickets made within
/// the same minute share their first 8 hex digits; a short id is therefore the first 8 digits,
/// lengthened until it tells apart the ids shown together.
enum ShortID {
    /// The shortest length, in hex digits.
    static let minimumLength = 8

    /// One prefix per id, in order: all of one length, unique among `ids` (unless ids repeat).
    static func prefixes(_ ids: [TicketID]) -> [String] {
        let hex = ids.map(\.compactHex)
        var length = minimumLength
        while length < 32 && Set(hex.map { $0.prefix(length) }).count < Set(hex).count {
            length += 1
        }
        return hex.map { String($0.prefix(length)) }
    }
}
