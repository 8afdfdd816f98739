/// Appends protobuf wire-format values to a byte array.
public struct ProtoWriter {
    /// The bytes written so far.
    public var bytes: [UInt8]

    @inlinable public init(capacity: Int = 64) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    @inlinable public mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            self.bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        self.bytes.append(UInt8(value))
    }

    @inlinable public mutating func writeKey(_ fieldNumber: Int, _ wireType: WireType) {
        self.writeVarint(UInt64(fieldNumber) << 3 | UInt64(wireType.rawValue))
    }

    @inlinable public mutating func writeFixed32(_ value: UInt32) {
        for i in 0..<4 { self.bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
    }

    @inlinable public mutating func writeFixed64(_ value: UInt64) {
        for i in 0..<8 { self.bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    @inlinable public mutating func writeLengthDelimited(_ value: some Collection<UInt8>) {
        self.writeVarint(UInt64(value.count))
        self.bytes.append(contentsOf: value)
    }

    @inlinable public mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { self.writeLengthDelimited($0) }
    }

    @inlinable public mutating func appendRaw(_ raw: some Collection<UInt8>) {
        self.bytes.append(contentsOf: raw)
    }

    /// Writes a nested value behind a length prefix. The body writes into a
    /// scratch writer, so its length is known before the prefix is written.
    @inlinable public mutating func writeNested(_ body: (inout ProtoWriter) -> Void) {
        var nested = ProtoWriter()
        body(&nested)
        self.writeLengthDelimited(nested.bytes)
    }
}
