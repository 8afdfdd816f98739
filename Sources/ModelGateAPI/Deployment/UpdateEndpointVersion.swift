public import ModelGateWire

/// Request of UpdateEndpointVersion, after Azure's AksEndpoint.update_version
/// (`modelgate.v1.UpdateEndpointVersionRequest`).
public struct UpdateEndpointVersionRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The endpoint's name.
    public var endpoint = ""
    /// The version's new values; its name says which version.
    public var version: EndpointVersion?
    /// Paths inside version of the fields to change, such as "traffic_percentile", "is_default" or
    /// "version_type"; empty changes every field set to a non-default value.
    public var updateMask: [String] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.UpdateEndpointVersionRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "endpoint", \.endpoint),
        .message(3, "version", \.version),
        .repeatedString(4, "update_mask", \.updateMask),
    ]
}
