public import ModelGateWire

/// `google.protobuf.EnumDescriptorProto`: one enum type (subset).
public struct EnumDescriptorProto: ProtoMessage {
    public var name = ""
    public var value: [EnumValueDescriptorProto] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.EnumDescriptorProto"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .repeatedMessage(2, "value", \.value),
    ]
}
