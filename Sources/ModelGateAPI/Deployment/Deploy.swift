public import ModelGateWire

/// Request of Deploy, after Azure's Model.deploy (`modelgate.v1.DeployRequest`).
public struct DeployRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The new service's name.
    public var name = ""
    /// The models to serve, as "name:version" (or "name" for the latest); at most 1000.
    public var models: [String] = []
    /// How to run them.
    public var inferenceConfig: InferenceConfig?
    /// Settings; compute_target_name names the AKS cluster.
    public var deploymentConfig: DeploymentConfig?
    /// Replace a service of the same name instead of failing with ALREADY_EXISTS.
    public var overwrite = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeployRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .repeatedString(3, "models", \.models),
        .message(4, "inference_config", \.inferenceConfig),
        .message(5, "deployment_config", \.deploymentConfig),
        .bool(6, "overwrite", \.overwrite),
    ]
}

/// Response of Deploy (`modelgate.v1.DeployResponse`).
public struct DeployResponse: ProtoMessage {
    /// The service as accepted, in state TRANSITIONING.
    public var service: WebService?
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeployResponse"
    public static let fields: [ProtoField<Self>] = [
        .message(1, "service", \.service),
    ]
}
