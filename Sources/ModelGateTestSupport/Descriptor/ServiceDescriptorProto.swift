public import ModelGateWire

/// `google.protobuf.ServiceDescriptorProto`: one RPC service (subset).
public struct ServiceDescriptorProto: ProtoMessage {
    public var name = ""
    public var method: [MethodDescriptorProto] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.ServiceDescriptorProto"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .repeatedMessage(2, "method", \.method),
    ]
}
