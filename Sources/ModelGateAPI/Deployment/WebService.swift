public import ModelGateWire

/// A deployed model: an endpoint with exactly one version (`modelgate.v1.WebService`).
public struct WebService: ProtoMessage {
    /// The owning workspace's name.
    public var workspace = ""
    /// Name, unique among the workspace's services and endpoints.
    public var name = ""
    /// Its state.
    public var state = WebServiceState.unspecified
    /// The models it serves, as "name:version".
    public var models: [String] = []
    /// How it runs the models.
    public var inferenceConfig: InferenceConfig?
    /// Its settings, with defaults filled in.
    public var deploymentConfig: DeploymentConfig?
    /// Where to send scoring requests, such as "modelgate://host:7400/ws/name".
    public var scoringURI = ""
    /// Why it is FAILED, UNHEALTHY or UNSCHEDULABLE.
    public var error = ""
    /// Its replicas.
    public var replicas: [ReplicaStatus] = []
    /// When it was created, in Unix milliseconds.
    public var createdAtUnixMs: Int64 = 0
    /// When it was last changed, in Unix milliseconds.
    public var updatedAtUnixMs: Int64 = 0
    /// Client id of the principal who created it.
    public var createdBy = ""
    /// Count of changes to its desired state; increases with every deploy and update.
    public var generation: UInt64 = 0
    /// The status code matching error, such as RESOURCE_EXHAUSTED for a service that does not fit the cluster's
    /// capacity; OK when there is no error.
    public var errorCode = StatusCode.ok
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.WebService"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .enumeration(3, "state", \.state),
        .repeatedString(4, "models", \.models),
        .message(5, "inference_config", \.inferenceConfig),
        .message(6, "deployment_config", \.deploymentConfig),
        .string(7, "scoring_uri", \.scoringURI),
        .string(8, "error", \.error),
        .repeatedMessage(9, "replicas", \.replicas),
        .int64(10, "created_at_unix_ms", \.createdAtUnixMs),
        .int64(11, "updated_at_unix_ms", \.updatedAtUnixMs),
        .string(12, "created_by", \.createdBy),
        .uint64(13, "generation", \.generation),
        .enumeration(14, "error_code", \.errorCode),
    ]
}
