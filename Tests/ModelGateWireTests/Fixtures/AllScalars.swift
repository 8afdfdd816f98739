import ModelGateWire

/// A test-only message with one singular field of every scalar type the codec
/// supports, numbered in `FieldType` order so a key byte is easy to read in a hex dump.
struct AllScalars: ProtoMessage {
    var double: Double = 0
    var float: Float = 0
    var int64: Int64 = 0
    var uint64: UInt64 = 0
    var int32: Int32 = 0
    var fixed64: UInt64 = 0
    var fixed32: UInt32 = 0
    var bool = false
    var string = ""
    var bytes: [UInt8] = []
    var uint32: UInt32 = 0
    var color = TestColor.unspecified
    var sfixed32: Int32 = 0
    var sfixed64: Int64 = 0
    var sint32: Int32 = 0
    var sint64: Int64 = 0
    var unknownFields = UnknownFields()
    init() {}

    static let protoName = "wiretest.AllScalars"
    static let fields: [ProtoField<Self>] = [
        .double(1, "double", \.double),
        .float(2, "float", \.float),
        .int64(3, "int64", \.int64),
        .uint64(4, "uint64", \.uint64),
        .int32(5, "int32", \.int32),
        .fixed64(6, "fixed64", \.fixed64),
        .fixed32(7, "fixed32", \.fixed32),
        .bool(8, "bool", \.bool),
        .string(9, "string", \.string),
        .bytes(12, "bytes", \.bytes),
        .uint32(13, "uint32", \.uint32),
        .enumeration(14, "color", \.color),
        .sfixed32(15, "sfixed32", \.sfixed32),
        .sfixed64(16, "sfixed64", \.sfixed64),
        .sint32(17, "sint32", \.sint32),
        .sint64(18, "sint64", \.sint64),
    ]
}
