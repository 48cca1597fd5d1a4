/// An add-wins observed-remove set of short strings (tags, watchers).
///
/// Each add is tagged with its operation id (a "dot"). A remove names the dots it saw; it kills
/// exactly those, so an add made concurrently with the remove survives (add wins). Removed dots
/// are remembered as tombstones, so a remove that arrives before its add still wins over it.
struct ObservedRemoveSet: Hashable, Sendable {
    /// Element → live dots, in arrival-independent (sorted) order.
    private(set) var live: [String: [OperationID]] = [:]
    /// Dots removed, with the element they were removed from.
    private(set) var tombstones: Set<Tombstone> = []

    struct Tombstone: Hashable, Sendable {
        var element: String
        var dot: OperationID
    }

    mutating func add(_ element: String, dot: OperationID) {
        if !tombstones.isEmpty, tombstones.contains(Tombstone(element: element, dot: dot)) { return }
        var dots = live[element] ?? []
        let index = dots.firstIndex { !($0 < dot) } ?? dots.endIndex
        if index < dots.endIndex, dots[index] == dot { return }
        dots.insert(dot, at: index)
        live[element] = dots
    }

    mutating func remove(_ element: String, observed: [OperationID]) {
        for dot in observed { tombstones.insert(Tombstone(element: element, dot: dot)) }
        guard var dots = live[element] else { return }
        dots.removeAll { observed.contains($0) }
        live[element] = dots.isEmpty ? nil : dots
    }

    func contains(_ element: String) -> Bool { live[element] != nil }

    /// The live dots of `element`: what a remove made now must name.
    func dots(of element: String) -> [OperationID] { live[element] ?? [] }

    /// The elements, sorted.
    var elements: [String] { live.keys.sorted() }

    var isEmpty: Bool { live.isEmpty && tombstones.isEmpty }
}
