public import ModelGateWire

/// Request of DeleteEndpoint (`modelgate.v1.DeleteEndpointRequest`).
public struct DeleteEndpointRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The endpoint's name.
    public var name = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteEndpointRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
    ]
}

/// Response of DeleteEndpoint (`modelgate.v1.DeleteEndpointResponse`).
public struct DeleteEndpointResponse: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteEndpointResponse"
    public static let fields: [ProtoField<Self>] = []
}
