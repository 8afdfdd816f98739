public import ModelGateWire

/// One event of a deployment's progress (`modelgate.v1.DeploymentProgress`).
public struct DeploymentProgress: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's or endpoint's name.
    public var name = ""
    /// The step reached.
    public var phase = DeploymentPhase.unspecified
    /// A human-readable line, as wait_for_deployment(show_output=True) prints it.
    public var message = ""
    /// When the event happened, in Unix milliseconds.
    public var timestampUnixMs: Int64 = 0
    /// The service's state after this event.
    public var state = WebServiceState.unspecified
    /// True on the last event of the stream.
    public var final = false
    /// The endpoint version concerned; empty for the whole service.
    public var version = ""
    /// Replicas ready so far.
    public var replicasReady: UInt32 = 0
    /// Replicas wanted.
    public var replicasDesired: UInt32 = 0
    /// Where the environment was found, once looked up.
    public var cacheResult = EnvironmentCacheResult.unspecified
    /// The environment's content hash.
    public var environmentHash = ""
    /// Bytes handled so far in PACKAGE_UPLOAD.
    public var bytesDone: UInt64 = 0
    /// Bytes to handle in PACKAGE_UPLOAD.
    public var bytesTotal: UInt64 = 0
    /// On a final FAILED or UNSCHEDULABLE event, the matching status code.
    public var errorCode = StatusCode.ok
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeploymentProgress"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .enumeration(3, "phase", \.phase),
        .string(4, "message", \.message),
        .int64(5, "timestamp_unix_ms", \.timestampUnixMs),
        .enumeration(6, "state", \.state),
        .bool(7, "final", \.final),
        .string(8, "version", \.version),
        .uint32(9, "replicas_ready", \.replicasReady),
        .uint32(10, "replicas_desired", \.replicasDesired),
        .enumeration(11, "cache_result", \.cacheResult),
        .string(12, "environment_hash", \.environmentHash),
        .uint64(13, "bytes_done", \.bytesDone),
        .uint64(14, "bytes_total", \.bytesTotal),
        .enumeration(15, "error_code", \.errorCode),
    ]
}
