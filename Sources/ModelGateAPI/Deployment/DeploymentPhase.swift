public import ModelGateWire

/// A step of a deployment, reported by WaitForDeployment (`modelgate.v1.DeploymentPhase`).
public struct DeploymentPhase: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Unknown.
    public static let unspecified = DeploymentPhase(rawValue: 0)
    /// Accepted, waiting for the reconciler.
    public static let queued = DeploymentPhase(rawValue: 1)
    /// Storing the source archive and model files for the replicas.
    public static let packageUpload = DeploymentPhase(rawValue: 2)
    /// Looking the environment's content hash up in the workspace, then the global cache.
    public static let environmentLookup = DeploymentPhase(rawValue: 3)
    /// Building the environment after a cache miss.
    public static let environmentBuild = DeploymentPhase(rawValue: 4)
    /// Placing replicas within the compute target's capacity.
    public static let scheduling = DeploymentPhase(rawValue: 5)
    /// Starting replicas and running init().
    public static let replicasStarting = DeploymentPhase(rawValue: 6)
    /// Replicas passed their readiness probes.
    public static let replicasReady = DeploymentPhase(rawValue: 7)
    /// The deployment ended; the event's state says how.
    public static let done = DeploymentPhase(rawValue: 8)

    public static let protoName = "modelgate.v1.DeploymentPhase"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("DEPLOYMENT_PHASE_UNSPECIFIED", 0),
        ("DEPLOYMENT_PHASE_QUEUED", 1),
        ("DEPLOYMENT_PHASE_PACKAGE_UPLOAD", 2),
        ("DEPLOYMENT_PHASE_ENVIRONMENT_LOOKUP", 3),
        ("DEPLOYMENT_PHASE_ENVIRONMENT_BUILD", 4),
        ("DEPLOYMENT_PHASE_SCHEDULING", 5),
        ("DEPLOYMENT_PHASE_REPLICAS_STARTING", 6),
        ("DEPLOYMENT_PHASE_REPLICAS_READY", 7),
        ("DEPLOYMENT_PHASE_DONE", 8),
    ]
}
