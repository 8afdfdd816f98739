public import ModelGateWire

/// Request of CreateEndpoint, after Azure's Model.deploy with AksEndpoint.deploy_configuration
/// (`modelgate.v1.CreateEndpointRequest`).
public struct CreateEndpointRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The new endpoint's name.
    public var name = ""
    /// Endpoint-wide settings; compute_target_name names the AKS cluster.
    public var deploymentConfig: DeploymentConfig?
    /// The first version; it becomes the default.
    public var version: EndpointVersion?
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    /// Key-value properties.
    public var properties: [String: String] = [:]
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.CreateEndpointRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .message(3, "deployment_config", \.deploymentConfig),
        .message(4, "version", \.version),
        .string(5, "description", \.description),
        .map(6, "tags", \.tags),
        .map(7, "properties", \.properties),
    ]
}
