public import ModelGateWire

/// `google.protobuf.EnumValueDescriptorProto`: one named enum value (subset).
public struct EnumValueDescriptorProto: ProtoMessage {
    public var name = ""
    public var number: Int32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.EnumValueDescriptorProto"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .int32(2, "number", \.number),
    ]
}
