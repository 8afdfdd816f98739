/// Reads protobuf wire-format values from a byte array, bounds-checked.
///
/// The reader never traps on bad input: every read checks what is left and
/// throws a ``WireError``. Nested messages are read by a child reader over a
/// sub-range of the same storage, so decoding copies no bytes but the values.
public struct ProtoReader {
    /// How deep messages may nest, as in the official libraries.
    public static let maxDepth = 100

    @usableFromInline let bytes: [UInt8]
    @usableFromInline var index: Int
    @usableFromInline let end: Int
    /// How many messages enclose the one being read.
    public let depth: Int

    @inlinable public init(bytes: [UInt8]) {
        self.init(bytes: bytes, range: 0..<bytes.count, depth: 0)
    }

    @usableFromInline
    init(bytes: [UInt8], range: Range<Int>, depth: Int) {
        self.bytes = bytes
        self.index = range.lowerBound
        self.end = range.upperBound
        self.depth = depth
    }

    /// Whether every byte has been read.
    @inlinable public var isAtEnd: Bool { self.index >= self.end }

    /// The byte offset of the next read, for error messages.
    @inlinable public var offset: Int { self.index }

    /// Reads a field key.
    ///
    /// - Returns: the field number and wire type, or `nil` at the end of the message.
    @inlinable public mutating func readKey() throws(WireError) -> (fieldNumber: Int, wireType: WireType)? {
        if self.isAtEnd { return nil }
        let key = try self.readVarint()
        guard let wireType = WireType(rawValue: UInt8(key & 7)), wireType != .startGroup, wireType != .endGroup else {
            throw WireError(.invalidWireType, "invalid wire type \(key & 7) at offset \(self.index)")
        }
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else {
            throw WireError(.invalidFieldNumber, "invalid field number \(number)")
        }
        return (Int(number), wireType)
    }

    /// Reads a base-128 varint of at most 10 bytes.
    @inlinable public mutating func readVarint() throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for count in 0..<10 {
            guard self.index < self.end else {
                throw WireError(.truncated, "input ends inside a varint")
            }
            let byte = self.bytes[self.index]
            self.index += 1
            if count == 9 && byte > 1 {
                throw WireError(.varintTooLong, "varint overflows 64 bits")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw WireError(.varintTooLong, "varint longer than 10 bytes")
    }

    /// Reads a little-endian 32-bit value.
    @inlinable public mutating func readFixed32() throws(WireError) -> UInt32 {
        guard self.end - self.index >= 4 else { throw WireError(.truncated, "input ends inside a fixed32") }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(self.bytes[self.index + i]) << (8 * UInt32(i)) }
        self.index += 4
        return value
    }

    /// Reads a little-endian 64-bit value.
    @inlinable public mutating func readFixed64() throws(WireError) -> UInt64 {
        guard self.end - self.index >= 8 else { throw WireError(.truncated, "input ends inside a fixed64") }
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(self.bytes[self.index + i]) << (8 * UInt64(i)) }
        self.index += 8
        return value
    }

    /// Reads a length prefix and returns the range of the bytes it covers, checked
    /// against what is left before anything is allocated.
    @inlinable public mutating func readLengthDelimitedRange() throws(WireError) -> Range<Int> {
        let length = try self.readVarint()
        guard length <= UInt64(self.end - self.index) else {
            throw WireError(.lengthOverrun, "length-delimited field of \(length) bytes runs past its message (\(self.end - self.index) left)")
        }
        let start = self.index
        self.index += Int(length)
        return start..<self.index
    }

    /// Reads a length-delimited field as bytes.
    @inlinable public mutating func readBytes() throws(WireError) -> [UInt8] {
        let range = try self.readLengthDelimitedRange()
        return Array(self.bytes[range])
    }

    /// Reads a length-delimited field as a UTF-8 string, refusing invalid UTF-8.
    @inlinable public mutating func readString(fieldNumber: Int) throws(WireError) -> String {
        let range = try self.readLengthDelimitedRange()
        // Validating from a buffer pointer keeps the check specialised (a slice goes through generic code).
        let decoded = self.bytes.withUnsafeBufferPointer { buffer in
            String(validating: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
        }
        guard let string = decoded else {
            throw WireError(.invalidUTF8, "field \(fieldNumber) holds invalid UTF-8")
        }
        return string
    }

    /// A reader for a nested message in the next length-delimited field.
    @inlinable public mutating func readNested() throws(WireError) -> ProtoReader {
        // The top-level message is depth 0; like upb and the C++ parser, allow
        // 100 nested levels below it and refuse the 101st.
        guard self.depth < Self.maxDepth else {
            throw WireError(.nestingTooDeep, "messages nest deeper than \(Self.maxDepth) levels")
        }
        let range = try self.readLengthDelimitedRange()
        return ProtoReader(bytes: self.bytes, range: range, depth: self.depth + 1)
    }

    /// Skips a field's value and returns its whole encoding (key included) for
    /// ``UnknownFields``.
    @inlinable public mutating func skipField(
        fieldNumber: Int, wireType: WireType, keyStart: Int
    ) throws(WireError) -> ArraySlice<UInt8> {
        switch wireType {
        case .varint: _ = try self.readVarint()
        case .fixed64: _ = try self.readFixed64()
        case .fixed32: _ = try self.readFixed32()
        case .lengthDelimited: _ = try self.readLengthDelimitedRange()
        case .startGroup, .endGroup:
            throw WireError(.invalidWireType, "groups are not supported (field \(fieldNumber))")
        }
        return self.bytes[keyStart..<self.index]
    }

    /// Calls `body` for each element of a packed repeated field, or once for an
    /// unpacked element, as a parser must accept both forms.
    @inlinable public mutating func readRepeated(
        wireType: WireType, elementWireType: WireType, fieldNumber: Int,
        _ body: (inout ProtoReader) throws(WireError) -> Void
    ) throws(WireError) {
        if wireType == .lengthDelimited && elementWireType != .lengthDelimited {
            let range = try self.readLengthDelimitedRange()
            var packed = ProtoReader(bytes: self.bytes, range: range, depth: self.depth)
            while !packed.isAtEnd { try body(&packed) }
        } else if wireType == elementWireType {
            try body(&self)
        } else {
            throw WireError(.wrongWireType, "field \(fieldNumber) has wire type \(wireType.rawValue), expected \(elementWireType.rawValue)")
        }
    }
}
