public import ModelGateWire

/// Request of DeleteEndpointVersion, after Azure's AksEndpoint.delete_version
/// (`modelgate.v1.DeleteEndpointVersionRequest`).
public struct DeleteEndpointVersionRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The endpoint's name.
    public var endpoint = ""
    /// The version's name.
    public var version = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteEndpointVersionRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "endpoint", \.endpoint),
        .string(3, "version", \.version),
    ]
}
