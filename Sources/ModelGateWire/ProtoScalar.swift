/// How one protobuf scalar type is written and read.
///
/// The conforming types are caseless enums named after the `.proto` type
/// (``ProtoInt32``, ``ProtoSInt64``, ...) because several proto types share
/// one Swift type (`int32`, `sint32` and `sfixed32` are all `Int32`).
public protocol ProtoScalar: SendableMetatype {
    associatedtype Value: Hashable & Sendable
    static var fieldType: FieldType { get }
    static var wireType: WireType { get }
    static var defaultValue: Value { get }
    /// Whether a singular field holding `value` is left off the wire.
    static func isDefault(_ value: Value) -> Bool
    static func write(_ value: Value, to writer: inout ProtoWriter)
    static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Value
}

extension ProtoScalar where Value: Numeric {
    @inlinable public static var defaultValue: Value { 0 }
}

extension ProtoScalar {
    @inlinable public static func isDefault(_ value: Value) -> Bool { value == Self.defaultValue }
}

public enum ProtoDouble: ProtoScalar {
    public static let fieldType = FieldType.double
    public static let wireType = WireType.fixed64
    /// Only +0.0 is the default: -0.0 compares equal to it but is written, as the official encoders do.
    @inlinable public static func isDefault(_ value: Double) -> Bool { value.bitPattern == 0 }
    @inlinable public static func write(_ value: Double, to writer: inout ProtoWriter) { writer.writeFixed64(value.bitPattern) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Double {
        Double(bitPattern: try reader.readFixed64())
    }
}

public enum ProtoFloat: ProtoScalar {
    public static let fieldType = FieldType.float
    public static let wireType = WireType.fixed32
    /// Only +0.0 is the default: -0.0 compares equal to it but is written, as the official encoders do.
    @inlinable public static func isDefault(_ value: Float) -> Bool { value.bitPattern == 0 }
    @inlinable public static func write(_ value: Float, to writer: inout ProtoWriter) { writer.writeFixed32(value.bitPattern) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Float {
        Float(bitPattern: try reader.readFixed32())
    }
}

public enum ProtoInt64: ProtoScalar {
    public static let fieldType = FieldType.int64
    public static let wireType = WireType.varint
    @inlinable public static func write(_ value: Int64, to writer: inout ProtoWriter) { writer.writeVarint(UInt64(bitPattern: value)) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Int64 {
        Int64(bitPattern: try reader.readVarint())
    }
}

public enum ProtoUInt64: ProtoScalar {
    public static let fieldType = FieldType.uint64
    public static let wireType = WireType.varint
    @inlinable public static func write(_ value: UInt64, to writer: inout ProtoWriter) { writer.writeVarint(value) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> UInt64 {
        try reader.readVarint()
    }
}

public enum ProtoInt32: ProtoScalar {
    public static let fieldType = FieldType.int32
    public static let wireType = WireType.varint
    /// Negative values are sign-extended to ten bytes, as the spec requires.
    @inlinable public static func write(_ value: Int32, to writer: inout ProtoWriter) {
        writer.writeVarint(UInt64(bitPattern: Int64(value)))
    }
    /// Keeps the low 32 bits, as the official parsers do.
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Int32 {
        Int32(truncatingIfNeeded: try reader.readVarint())
    }
}

public enum ProtoUInt32: ProtoScalar {
    public static let fieldType = FieldType.uint32
    public static let wireType = WireType.varint
    @inlinable public static func write(_ value: UInt32, to writer: inout ProtoWriter) { writer.writeVarint(UInt64(value)) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> UInt32 {
        UInt32(truncatingIfNeeded: try reader.readVarint())
    }
}

public enum ProtoSInt32: ProtoScalar {
    public static let fieldType = FieldType.sint32
    public static let wireType = WireType.varint
    @inlinable public static func write(_ value: Int32, to writer: inout ProtoWriter) {
        writer.writeVarint(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Int32 {
        let raw = UInt32(truncatingIfNeeded: try reader.readVarint())
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }
}

public enum ProtoSInt64: ProtoScalar {
    public static let fieldType = FieldType.sint64
    public static let wireType = WireType.varint
    @inlinable public static func write(_ value: Int64, to writer: inout ProtoWriter) {
        writer.writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Int64 {
        let raw = try reader.readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }
}

public enum ProtoFixed32: ProtoScalar {
    public static let fieldType = FieldType.fixed32
    public static let wireType = WireType.fixed32
    @inlinable public static func write(_ value: UInt32, to writer: inout ProtoWriter) { writer.writeFixed32(value) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> UInt32 {
        try reader.readFixed32()
    }
}

public enum ProtoFixed64: ProtoScalar {
    public static let fieldType = FieldType.fixed64
    public static let wireType = WireType.fixed64
    @inlinable public static func write(_ value: UInt64, to writer: inout ProtoWriter) { writer.writeFixed64(value) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> UInt64 {
        try reader.readFixed64()
    }
}

public enum ProtoSFixed32: ProtoScalar {
    public static let fieldType = FieldType.sfixed32
    public static let wireType = WireType.fixed32
    @inlinable public static func write(_ value: Int32, to writer: inout ProtoWriter) { writer.writeFixed32(UInt32(bitPattern: value)) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Int32 {
        Int32(bitPattern: try reader.readFixed32())
    }
}

public enum ProtoSFixed64: ProtoScalar {
    public static let fieldType = FieldType.sfixed64
    public static let wireType = WireType.fixed64
    @inlinable public static func write(_ value: Int64, to writer: inout ProtoWriter) { writer.writeFixed64(UInt64(bitPattern: value)) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Int64 {
        Int64(bitPattern: try reader.readFixed64())
    }
}

public enum ProtoBool: ProtoScalar {
    public static let fieldType = FieldType.bool
    public static let wireType = WireType.varint
    public static let defaultValue = false
    @inlinable public static func write(_ value: Bool, to writer: inout ProtoWriter) { writer.writeVarint(value ? 1 : 0) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> Bool {
        try reader.readVarint() != 0
    }
}

public enum ProtoString: ProtoScalar {
    public static let fieldType = FieldType.string
    public static let wireType = WireType.lengthDelimited
    public static let defaultValue = ""
    @inlinable public static func write(_ value: String, to writer: inout ProtoWriter) { writer.writeString(value) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> String {
        try reader.readString(fieldNumber: fieldNumber)
    }
}

public enum ProtoBytes: ProtoScalar {
    public static let fieldType = FieldType.bytes
    public static let wireType = WireType.lengthDelimited
    public static let defaultValue: [UInt8] = []
    @inlinable public static func write(_ value: [UInt8], to writer: inout ProtoWriter) { writer.writeLengthDelimited(value) }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> [UInt8] {
        try reader.readBytes()
    }
}

/// An enum field: a varint holding the value's number, unknown numbers kept.
public enum ProtoEnumScalar<E: ProtoEnum>: ProtoScalar {
    @inlinable public static var fieldType: FieldType { .enumeration }
    @inlinable public static var wireType: WireType { .varint }
    @inlinable public static var defaultValue: E { E(rawValue: 0) }
    @inlinable public static func write(_ value: E, to writer: inout ProtoWriter) {
        writer.writeVarint(UInt64(bitPattern: Int64(value.rawValue)))
    }
    @inlinable public static func read(from reader: inout ProtoReader, fieldNumber: Int) throws(WireError) -> E {
        E(rawValue: Int32(truncatingIfNeeded: try reader.readVarint()))
    }
}
