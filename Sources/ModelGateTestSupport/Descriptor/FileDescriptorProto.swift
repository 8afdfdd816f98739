public import ModelGateWire

/// `google.protobuf.FileDescriptorProto`: one `.proto` file (subset).
public struct FileDescriptorProto: ProtoMessage {
    public var name = ""
    public var package = ""
    public var dependency: [String] = []
    public var messageType: [DescriptorProto] = []
    public var enumType: [EnumDescriptorProto] = []
    public var service: [ServiceDescriptorProto] = []
    /// "proto3", or empty for proto2.
    public var syntax = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.FileDescriptorProto"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .string(2, "package", \.package),
        .repeatedString(3, "dependency", \.dependency),
        .repeatedMessage(4, "message_type", \.messageType),
        .repeatedMessage(5, "enum_type", \.enumType),
        .repeatedMessage(6, "service", \.service),
        .string(12, "syntax", \.syntax),
    ]
}
