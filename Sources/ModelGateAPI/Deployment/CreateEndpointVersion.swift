public import ModelGateWire

/// Request of CreateEndpointVersion, after Azure's AksEndpoint.create_version
/// (`modelgate.v1.CreateEndpointVersionRequest`).
public struct CreateEndpointVersionRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The endpoint's name.
    public var endpoint = ""
    /// The new version.
    public var version: EndpointVersion?
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.CreateEndpointVersionRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "endpoint", \.endpoint),
        .message(3, "version", \.version),
    ]
}
