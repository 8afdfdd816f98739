internal import ModelGateAPI

/// How a ``ReplicaPool`` runs one service version: how many replicas, what
/// they run, and the limits of Azure's deployment configuration.
struct ReplicaPoolConfiguration: Sendable {
    /// `<workspace>/<service>`: names the service in messages and logs.
    var serviceName: String
    /// The endpoint version the replicas run; empty for a plain web service.
    var version: String = ""
    /// What each replica runs.
    var program: ReplicaProgram
    /// Replicas to run.
    var replicas: Int = 1
    /// `replica_max_concurrent_requests`: requests one replica runs at once.
    var maxConcurrentRequestsPerReplica: Int = 1
    /// `max_request_wait_time`: how long a request may wait for a free replica
    /// before it fails with `RESOURCE_EXHAUSTED`.
    var maxRequestWait: Duration = .milliseconds(500)
    /// Most requests waiting for a free replica; more are refused at once with
    /// `RESOURCE_EXHAUSTED`, so a burst cannot queue without bound.
    var maxQueueLength: Int = 1_000
    /// `scoring_timeout_ms`: how long `run()` may take before the request fails
    /// with `DEADLINE_EXCEEDED` (counted from when the replica got it).
    var scoringTimeout: Duration = .seconds(60)
    /// How long a replica may take from start to READY (import and `init()`).
    var startupTimeout: Duration = .seconds(600)
    /// Liveness probe (PING) interval once a replica is ready (`period_seconds`).
    var livenessPeriod: Duration = .seconds(10)
    /// Time a PING may take (`timeout_seconds`).
    var livenessTimeout: Duration = .seconds(2)
    /// Failed PINGs in a row before the replica is killed and restarted (`failure_threshold`).
    var livenessFailureThreshold: Int = 3
    /// Time from a replica's start before failed probes may kill it (`initial_delay_seconds`).
    var livenessInitialDelay: Duration = .zero
    /// Answered PINGs in a row before a replica gets requests, after READY and
    /// after a missed probe (`success_threshold`).
    var probeSuccessThreshold: Int = 1
    /// First wait before restarting a crashed replica; doubles per crash up to ``maxRestartBackoff``.
    var restartBackoff: Duration = .milliseconds(100)
    var maxRestartBackoff: Duration = .seconds(10)
    /// A replica that stayed up this long restarts with ``restartBackoff`` again.
    var backoffResetAfter: Duration = .seconds(60)
    /// How long ``ReplicaPool/stop()`` and a scale-down let requests finish.
    var drainTimeout: Duration = .seconds(30)
    /// Between SIGTERM and SIGKILL when a replica is stopped.
    var terminationGrace: Duration = .seconds(5)
    /// `memory_gb_limit` (which defaults to `memory_gb`) in bytes: a replica whose
    /// resident memory passes it is killed and restarted, as a container's memory
    /// limit would have it killed; nil for no limit.
    var memoryLimitBytes: UInt64?
    /// How often a ready replica's resident memory is compared with ``memoryLimitBytes``.
    var memoryCheckInterval: Duration = .milliseconds(50)
    /// Largest frame payload on the replica connection (request or response).
    var maxFrameBytes: Int = 64 << 20
    /// Prefix of replica ids: `r-1`, `r-2`, ...
    var replicaIDPrefix: String = "r-"

    init(serviceName: String, program: ReplicaProgram) {
        self.serviceName = serviceName
        self.program = program
    }

    /// A pool configured from Azure-style deployment settings, with Azure's
    /// defaults for zero values (see `DeploymentConfig` in `proto/`).
    ///
    /// The replica count is ``DeploymentDefaults/initialReplicas(_:)``: `num_replicas`,
    /// or `autoscale_min_replicas` when autoscaling (the autoscaler resizes from there).
    init(serviceName: String, version: String = "", program: ReplicaProgram, deployment: DeploymentConfig) {
        self.init(serviceName: serviceName, program: program)
        self.version = version
        self.replicas = DeploymentDefaults.initialReplicas(deployment)
        self.maxConcurrentRequestsPerReplica = Int(Self.orDefault(deployment.replicaMaxConcurrentRequests, DeploymentDefaults.replicaMaxConcurrentRequests))
        self.maxRequestWait = .milliseconds(Self.orDefault(deployment.maxRequestWaitTimeMs, DeploymentDefaults.maxRequestWaitTimeMs))
        self.scoringTimeout = .milliseconds(Self.orDefault(deployment.scoringTimeoutMs, DeploymentDefaults.scoringTimeoutMs))
        self.livenessPeriod = .seconds(Self.orDefault(deployment.livenessPeriodSeconds, DeploymentDefaults.livenessPeriodSeconds))
        self.livenessTimeout = .seconds(Self.orDefault(deployment.livenessTimeoutSeconds, DeploymentDefaults.livenessTimeoutSeconds))
        self.livenessFailureThreshold = Int(Self.orDefault(deployment.livenessFailureThreshold, DeploymentDefaults.livenessFailureThreshold))
        self.livenessInitialDelay = .seconds(Self.orDefault(deployment.livenessInitialDelaySeconds, DeploymentDefaults.livenessInitialDelaySeconds))
        self.probeSuccessThreshold = Int(Self.orDefault(deployment.livenessSuccessThreshold, DeploymentDefaults.livenessSuccessThreshold))
        let memoryGB = deployment.memoryGbLimit > 0 ? deployment.memoryGbLimit : deployment.memoryGb
        if memoryGB > 0, memoryGB.isFinite { self.memoryLimitBytes = UInt64(memoryGB * 1_073_741_824) }
    }

    private static func orDefault(_ value: UInt32, _ fallback: UInt32) -> UInt32 { value != 0 ? value : fallback }

    /// Requests the pool runs at once when every replica is ready.
    var capacity: Int { self.replicas * self.maxConcurrentRequestsPerReplica }
}
