public import ModelGateWire

/// One version of an endpoint. Also the input of CreateEndpointVersion and UpdateEndpointVersion, which ignore
/// the fields the server sets (`modelgate.v1.EndpointVersion`).
public struct EndpointVersion: ProtoMessage {
    /// Name, unique in the endpoint.
    public var name = ""
    /// Share of the endpoint's traffic sent to this version, 0-100; the shares of all versions sum to at most
    /// 100.
    public var trafficPercentile: Float = 0
    /// Takes the traffic the percentiles leave over; the first version is the default until another is marked.
    public var isDefault = false
    /// Control or treatment.
    public var versionType = EndpointVersionType.unspecified
    /// The models it serves, as "name:version".
    public var models: [String] = []
    /// How it runs them.
    public var inferenceConfig: InferenceConfig?
    /// Per-version settings (cpu_cores, memory_gb, gpu_cores, probes, scoring timeout); endpoint-wide fields
    /// here are ignored.
    public var deploymentConfig: DeploymentConfig?
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    /// Key-value properties.
    public var properties: [String: String] = [:]
    /// Set by the server: its state.
    public var state = WebServiceState.unspecified
    /// Set by the server: the share of traffic it actually gets, remainder included.
    public var effectiveTrafficPercentile: Float = 0
    /// Set by the server: its replicas in the endpoint's pool.
    public var replicas: [ReplicaStatus] = []
    /// Set by the server: when it was created, in Unix milliseconds.
    public var createdAtUnixMs: Int64 = 0
    /// Set by the server: when it was last changed, in Unix milliseconds.
    public var updatedAtUnixMs: Int64 = 0
    /// Set by the server: why it is FAILED, UNHEALTHY or UNSCHEDULABLE.
    public var error = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.EndpointVersion"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .float(2, "traffic_percentile", \.trafficPercentile),
        .bool(3, "is_default", \.isDefault),
        .enumeration(4, "version_type", \.versionType),
        .repeatedString(5, "models", \.models),
        .message(6, "inference_config", \.inferenceConfig),
        .message(7, "deployment_config", \.deploymentConfig),
        .string(8, "description", \.description),
        .map(9, "tags", \.tags),
        .map(10, "properties", \.properties),
        .enumeration(11, "state", \.state),
        .float(12, "effective_traffic_percentile", \.effectiveTrafficPercentile),
        .repeatedMessage(13, "replicas", \.replicas),
        .int64(14, "created_at_unix_ms", \.createdAtUnixMs),
        .int64(15, "updated_at_unix_ms", \.updatedAtUnixMs),
        .string(16, "error", \.error),
    ]
}
