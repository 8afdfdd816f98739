public import ModelGateWire

/// `google.protobuf.MethodDescriptorProto`: one RPC method (subset).
public struct MethodDescriptorProto: ProtoMessage {
    public var name = ""
    /// Fully qualified, with a leading dot.
    public var inputType = ""
    /// Fully qualified, with a leading dot.
    public var outputType = ""
    public var clientStreaming = false
    public var serverStreaming = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.MethodDescriptorProto"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .string(2, "input_type", \.inputType),
        .string(3, "output_type", \.outputType),
        .bool(5, "client_streaming", \.clientStreaming),
        .bool(6, "server_streaming", \.serverStreaming),
    ]
}
