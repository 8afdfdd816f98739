public import ModelGateWire

/// Request of DetachCompute (`modelgate.v1.DetachComputeRequest`).
public struct DetachComputeRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The compute target's name.
    public var name = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DetachComputeRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
    ]
}

/// Response of DetachCompute (`modelgate.v1.DetachComputeResponse`).
public struct DetachComputeResponse: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DetachComputeResponse"
    public static let fields: [ProtoField<Self>] = []
}
