/// A last-writer-wins register: the value of the write with the highest ``Stamp``.
struct Register: Hashable, Sendable {
    var value: FieldValue
    var stamp: Stamp

    /// Applies a write; the higher stamp wins, so the order of writes does not matter.
    @inline(__always)
    static func write(_ register: inout Register?, _ value: FieldValue, _ stamp: Stamp) {
        if let current = register, !(current.stamp < stamp) { return }
        register = Register(value: value, stamp: stamp)
    }
}
