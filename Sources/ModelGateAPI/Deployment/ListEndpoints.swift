public import ModelGateWire

/// Request of ListEndpoints (`modelgate.v1.ListEndpointsRequest`).
public struct ListEndpointsRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// Only endpoints on this compute target, when not empty.
    public var computeTarget = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListEndpointsRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "compute_target", \.computeTarget),
    ]
}

/// Response of ListEndpoints (`modelgate.v1.ListEndpointsResponse`).
public struct ListEndpointsResponse: ProtoMessage {
    /// The matching endpoints, ordered by name.
    public var endpoints: [Endpoint] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListEndpointsResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "endpoints", \.endpoints),
    ]
}
