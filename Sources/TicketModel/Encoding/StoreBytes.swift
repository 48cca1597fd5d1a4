/// Little byte writers and readers for the hand-written encodings in this folder: varints
/// (LEB128, as protobuf writes them), zigzag, little-endian fixed64 and length-prefixed bytes.
struct StoreBytesWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inline(__always)
    mutating func varint(_ value: Int) {
        varint(UInt64(bitPattern: Int64(value)))
    }

    @inline(__always)
    mutating func zigzag(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The string's UTF-8 bytes, preceded by their count.
    @inline(__always)
    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// The string's UTF-8 bytes, without a count.
    @inline(__always)
    mutating func utf8(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var value = value >> 7
        while value != 0 {
            size += 1
            value >>= 7
        }
        return size
    }
}

/// Reads what ``StoreBytesWriter`` wrote, refusing anything that runs past the end.
struct StoreBytesReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    var isAtEnd: Bool { offset == buffer.count }

    static func failure(_ what: String) -> TicketModelError {
        TicketModelError(.decodingFailed, "damaged ticket state: \(what)")
    }

    mutating func byte() throws(TicketModelError) -> UInt8 {
        guard offset < buffer.count else { throw Self.failure("ends early") }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func varint() throws(TicketModelError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count else { throw Self.failure("ends inside a number") }
            let byte = buffer[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw Self.failure("a number overflows") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw Self.failure("a number is too long") }
        }
    }

    /// A varint that must fit `limit` (a count or an index).
    mutating func count(atMost limit: Int) throws(TicketModelError) -> Int {
        let value = try varint()
        guard value <= UInt64(limit) else { throw Self.failure("a count of \(value) is out of range") }
        return Int(value)
    }

    mutating func zigzag() throws(TicketModelError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func fixed64() throws(TicketModelError) -> UInt64 {
        guard buffer.count - offset >= 8 else { throw Self.failure("ends inside a fixed number") }
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: value)
    }

    mutating func string() throws(TicketModelError) -> String {
        let length = try count(atMost: buffer.count - offset)
        guard length > 0, let base = buffer.baseAddress else { return "" }
        let utf8 = UnsafeBufferPointer(start: (base + offset).assumingMemoryBound(to: UInt8.self), count: length)
        offset += length
        guard let text = String(validating: utf8, as: UTF8.self) else { throw Self.failure("a string is not UTF-8") }
        return text
    }
}
