import ModelGateWire

/// A test-only message with one repeated field of every scalar type, numbered
/// like ``AllScalars``, to cover packed and unpacked encodings.
struct AllRepeated: ProtoMessage {
    var double: [Double] = []
    var float: [Float] = []
    var int64: [Int64] = []
    var uint64: [UInt64] = []
    var int32: [Int32] = []
    var fixed64: [UInt64] = []
    var fixed32: [UInt32] = []
    var bool: [Bool] = []
    var string: [String] = []
    var bytes: [[UInt8]] = []
    var uint32: [UInt32] = []
    var color: [TestColor] = []
    var sfixed32: [Int32] = []
    var sfixed64: [Int64] = []
    var sint32: [Int32] = []
    var sint64: [Int64] = []
    var unknownFields = UnknownFields()
    init() {}

    static let protoName = "wiretest.AllRepeated"
    static let fields: [ProtoField<Self>] = [
        .repeated(1, "double", ProtoDouble.self, \.double),
        .repeated(2, "float", ProtoFloat.self, \.float),
        .repeated(3, "int64", ProtoInt64.self, \.int64),
        .repeated(4, "uint64", ProtoUInt64.self, \.uint64),
        .repeated(5, "int32", ProtoInt32.self, \.int32),
        .repeated(6, "fixed64", ProtoFixed64.self, \.fixed64),
        .repeated(7, "fixed32", ProtoFixed32.self, \.fixed32),
        .repeated(8, "bool", ProtoBool.self, \.bool),
        .repeatedString(9, "string", \.string),
        .repeated(12, "bytes", ProtoBytes.self, \.bytes),
        .repeated(13, "uint32", ProtoUInt32.self, \.uint32),
        .repeatedEnum(14, "color", \.color),
        .repeated(15, "sfixed32", ProtoSFixed32.self, \.sfixed32),
        .repeated(16, "sfixed64", ProtoSFixed64.self, \.sfixed64),
        .repeated(17, "sint32", ProtoSInt32.self, \.sint32),
        .repeated(18, "sint64", ProtoSInt64.self, \.sint64),
    ]
}
