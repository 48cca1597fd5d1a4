/// The set of sequence numbers applied from one replica: a contiguous prefix `1...upTo` plus the
/// few numbers above it that arrived early. Lets a replica drop duplicates in O(1).
struct SequenceSet: Hashable, Sendable {
    /// Every number in `1...contiguous` is in the set.
    private(set) var contiguous: UInt64 = 0
    /// Numbers above `contiguous + 1` that are in the set.
    private(set) var ahead: Set<UInt64> = []

    func contains(_ seq: UInt64) -> Bool {
        seq <= contiguous || (!ahead.isEmpty && ahead.contains(seq))
    }

    /// Inserts `seq`; returns false if it was already there.
    @discardableResult
    mutating func insert(_ seq: UInt64) -> Bool {
        if contains(seq) { return false }
        if seq == contiguous &+ 1 {
            contiguous = seq
            while !ahead.isEmpty, ahead.remove(contiguous &+ 1) != nil { contiguous &+= 1 }
        } else {
            ahead.insert(seq)
        }
        return true
    }

    /// The highest number in the set.
    var highest: UInt64 { ahead.max().map { Swift.max($0, contiguous) } ?? contiguous }
}
