public import ModelGateWire

/// Request of UpdateEndpoint (`modelgate.v1.UpdateEndpointRequest`).
public struct UpdateEndpointRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The endpoint's name.
    public var name = ""
    /// Paths of the fields to change, such as "deployment_config.auth_enabled" or "tags"; empty changes every
    /// field set to a non-default value.
    public var updateMask: [String] = []
    /// New endpoint-wide settings.
    public var deploymentConfig: DeploymentConfig?
    /// New description.
    public var description = ""
    /// New tags (replacing the old ones).
    public var tags: [String: String] = [:]
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.UpdateEndpointRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .repeatedString(3, "update_mask", \.updateMask),
        .message(4, "deployment_config", \.deploymentConfig),
        .string(5, "description", \.description),
        .map(6, "tags", \.tags),
    ]
}
