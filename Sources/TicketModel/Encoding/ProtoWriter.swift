/// Writes protobuf wire format (proto3 rules: scalar fields equal to their default are left out).
package struct ProtoWriter {
    /// The wire types this writer uses.
    package enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
    }

    var inner: StoreBytesWriter

    /// A writer with room for `capacity` bytes.
    package init(capacity: Int) {
        inner = StoreBytesWriter(capacity: capacity)
    }

    /// What has been written.
    package var bytes: [UInt8] {
        get { inner.bytes }
        _modify { yield &inner.bytes }
    }

    /// A field's key.
    @inline(__always)
    package mutating func tag(_ field: Int, _ type: WireType) {
        inner.varint(UInt64(field) << 3 | type.rawValue)
    }

    /// A varint (LEB128).
    @inline(__always)
    package mutating func varint(_ value: UInt64) { inner.varint(value) }

    /// A zigzag varint (`sint64`).
    @inline(__always)
    package mutating func zigzag(_ value: Int64) { inner.zigzag(value) }

    /// Eight bytes, little-endian.
    @inline(__always)
    package mutating func fixed64(_ value: UInt64) { inner.fixed64(value) }

    /// A `uint32` field (left out when zero).
    @inline(__always)
    package mutating func uint32(_ field: Int, _ value: Int) {
        let value = UInt64(UInt32(truncatingIfNeeded: value))
        guard value != 0 else { return }
        tag(field, .varint)
        varint(value)
    }

    /// A `string` field (left out when empty).
    @inline(__always)
    package mutating func string(_ field: Int, _ text: String) {
        guard !text.isEmpty else { return }
        tag(field, .lengthDelimited)
        lengthPrefixed(text)
    }

    /// The text's UTF-8 bytes, preceded by their count.
    @inline(__always)
    package mutating func lengthPrefixed(_ text: String) { inner.string(text) }

    /// Starts a message field, always written (a set singular message, a oneof case or a
    /// repeated element): write its body, then call ``end(_:)`` with the returned mark, which puts
    /// the body's length in front of it.
    package mutating func begin(_ field: Int) -> Int {
        tag(field, .lengthDelimited)
        return inner.bytes.count
    }

    /// Ends the message field started at `start`.
    package mutating func end(_ start: Int) {
        let length = UInt64(inner.bytes.count - start)
        if length < 0x80 {
            inner.bytes.insert(UInt8(length), at: start)
        } else {
            var prefix = StoreBytesWriter(capacity: 10)
            prefix.varint(length)
            inner.bytes.insert(contentsOf: prefix.bytes, at: start)
        }
    }
}
