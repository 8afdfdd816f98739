public import ModelGateWire

/// An AKS endpoint: up to six versions behind one name, sharing one replica pool (`modelgate.v1.Endpoint`).
public struct Endpoint: ProtoMessage {
    /// The owning workspace's name.
    public var workspace = ""
    /// Name, unique among the workspace's services and endpoints.
    public var name = ""
    /// Its overall state: the worst of its versions'.
    public var state = WebServiceState.unspecified
    /// Its versions, in creation order.
    public var versions: [EndpointVersion] = []
    /// The version that takes the traffic the percentiles leave over.
    public var defaultVersion = ""
    /// Endpoint-wide settings (compute target, auth, autoscaling, queueing), with defaults filled in.
    public var deploymentConfig: DeploymentConfig?
    /// Where to send scoring requests.
    public var scoringURI = ""
    /// Why it is FAILED, UNHEALTHY or UNSCHEDULABLE.
    public var error = ""
    /// When it was created, in Unix milliseconds.
    public var createdAtUnixMs: Int64 = 0
    /// When it was last changed, in Unix milliseconds.
    public var updatedAtUnixMs: Int64 = 0
    /// Client id of the principal who created it.
    public var createdBy = ""
    /// Count of changes to its desired state.
    public var generation: UInt64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.Endpoint"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .enumeration(3, "state", \.state),
        .repeatedMessage(4, "versions", \.versions),
        .string(5, "default_version", \.defaultVersion),
        .message(6, "deployment_config", \.deploymentConfig),
        .string(7, "scoring_uri", \.scoringURI),
        .string(8, "error", \.error),
        .int64(9, "created_at_unix_ms", \.createdAtUnixMs),
        .int64(10, "updated_at_unix_ms", \.updatedAtUnixMs),
        .string(11, "created_by", \.createdBy),
        .uint64(12, "generation", \.generation),
    ]
}
