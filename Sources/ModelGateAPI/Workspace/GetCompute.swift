public import ModelGateWire

/// Request of GetCompute (`modelgate.v1.GetComputeRequest`).
public struct GetComputeRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The compute target's name.
    public var name = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetComputeRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
    ]
}
