public import ModelGateWire

/// Request of UpdateService, after Azure's Webservice.update (`modelgate.v1.UpdateServiceRequest`).
public struct UpdateServiceRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's name.
    public var name = ""
    /// Paths of the fields to change, such as "models", "inference_config" or
    /// "deployment_config.autoscale_max_replicas"; fields not named keep their value. Empty changes every field
    /// set to a non-default value.
    public var updateMask: [String] = []
    /// New models, as "name:version".
    public var models: [String] = []
    /// New inference config.
    public var inferenceConfig: InferenceConfig?
    /// New settings; compute_type and compute_target_name cannot change.
    public var deploymentConfig: DeploymentConfig?
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.UpdateServiceRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .repeatedString(3, "update_mask", \.updateMask),
        .repeatedString(4, "models", \.models),
        .message(5, "inference_config", \.inferenceConfig),
        .message(6, "deployment_config", \.deploymentConfig),
    ]
}
