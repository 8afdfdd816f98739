public import ModelGateWire

/// The state of one replica process (`modelgate.v1.ReplicaState`).
public struct ReplicaState: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Unknown.
    public static let unspecified = ReplicaState(rawValue: 0)
    /// Placed, not started yet.
    public static let pending = ReplicaState(rawValue: 1)
    /// Started, running init() or waiting for its readiness probe.
    public static let starting = ReplicaState(rawValue: 2)
    /// Serving requests.
    public static let ready = ReplicaState(rawValue: 3)
    /// Finishing its requests before it stops; takes no new ones.
    public static let draining = ReplicaState(rawValue: 4)
    /// Exited or failed its liveness probe; the supervisor restarts it.
    public static let crashed = ReplicaState(rawValue: 5)
    /// Stopped for good.
    public static let stopped = ReplicaState(rawValue: 6)

    public static let protoName = "modelgate.v1.ReplicaState"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("REPLICA_STATE_UNSPECIFIED", 0),
        ("REPLICA_STATE_PENDING", 1),
        ("REPLICA_STATE_STARTING", 2),
        ("REPLICA_STATE_READY", 3),
        ("REPLICA_STATE_DRAINING", 4),
        ("REPLICA_STATE_CRASHED", 5),
        ("REPLICA_STATE_STOPPED", 6),
    ]
}
