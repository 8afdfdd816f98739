public import ModelGateWire

/// Request of GetEndpoint (`modelgate.v1.GetEndpointRequest`).
public struct GetEndpointRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The endpoint's name.
    public var name = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetEndpointRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
    ]
}
