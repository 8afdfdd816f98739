public import ModelGateWire

/// `google.protobuf.OneofDescriptorProto` (subset). The Swift codec has no oneofs,
/// so the check only needs to notice that one exists.
public struct OneofDescriptorProto: ProtoMessage {
    public var name = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.OneofDescriptorProto"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
    ]
}
