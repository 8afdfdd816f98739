public import ModelGateWire

/// `google.protobuf.DescriptorProto`: one message type (subset).
public struct DescriptorProto: ProtoMessage {
    public var name = ""
    public var field: [FieldDescriptorProto] = []
    public var nestedType: [DescriptorProto] = []
    public var enumType: [EnumDescriptorProto] = []
    public var options: MessageOptions?
    public var oneofDecl: [OneofDescriptorProto] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.DescriptorProto"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .repeatedMessage(2, "field", \.field),
        .repeatedMessage(3, "nested_type", \.nestedType),
        .repeatedMessage(4, "enum_type", \.enumType),
        .message(7, "options", \.options),
        .repeatedMessage(8, "oneof_decl", \.oneofDecl),
    ]

    /// Whether protoc synthesised this message for a `map<K, V>` field.
    public var isMapEntry: Bool { self.options?.mapEntry ?? false }
}
