public import ModelGateWire

/// One replica's state (`modelgate.v1.ReplicaStatus`).
public struct ReplicaStatus: ProtoMessage {
    /// The replica's id, unique on the server.
    public var replicaID = ""
    /// The endpoint version whose code it runs.
    public var version = ""
    /// Its state.
    public var state = ReplicaState.unspecified
    /// Requests it is running now.
    public var inFlight: UInt32 = 0
    /// When its current process started, in Unix milliseconds.
    public var startedAtUnixMs: Int64 = 0
    /// Times the supervisor restarted it.
    public var restarts: UInt32 = 0
    /// Exit status of its previous process: the exit code, or minus the signal number if a signal ended it; 0
    /// if it has not exited.
    public var lastExitCode: Int32 = 0
    /// Why it is not ready, such as a failed probe.
    public var message = ""
    /// The compute target it runs on.
    public var computeTarget = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ReplicaStatus"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "replica_id", \.replicaID),
        .string(2, "version", \.version),
        .enumeration(3, "state", \.state),
        .uint32(4, "in_flight", \.inFlight),
        .int64(5, "started_at_unix_ms", \.startedAtUnixMs),
        .uint32(6, "restarts", \.restarts),
        .sint32(7, "last_exit_code", \.lastExitCode),
        .string(8, "message", \.message),
        .string(9, "compute_target", \.computeTarget),
    ]
}
