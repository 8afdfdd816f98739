public import ModelGateRPC
public import ModelGateTLS

/// Everything a ``ModelGateServerApp`` needs to know at start.
public struct ServerConfiguration: Sendable {
    /// Address to listen on. Default `127.0.0.1` (only this machine).
    public var host: String
    /// Port to listen on; 0 picks a free one (see ``ModelGateServerApp/boundPort()``). Default 7070.
    public var port: Int
    /// Directory for the database, blobs and the credentials file; created 0700.
    public var dataDirectory: String
    /// Frame, stream and timing limits of the protocol.
    public var limits: RPCLimits
    /// Most client connections open at once. Default 10,000.
    public var maxConnections: Int
    /// How long a graceful shutdown waits for in-flight calls. Default 30 s.
    public var drainTimeout: Duration
    /// How long a control-plane access token is valid after sign-in. Default 24 h.
    public var accessTokenLifetime: Duration
    /// PBKDF2 iterations for newly hashed client secrets. Default 210,000;
    /// tests use far fewer because each sign-in pays this cost.
    public var secretHashIterations: Int
    /// The replica harness folder (holding `modelgate_replica.py`); nil uses the
    /// one shipped in the server's resource bundle.
    public var replicaRuntimeDirectory: String?
    /// How large a registered model may be.
    public var modelLimits: ModelLimits
    /// Which Python the server runs and how long an environment build may take.
    public var environments: EnvironmentCache.Configuration
    /// Lifetimes of scoring tokens and their signing keys, and the clock skew
    /// verification allows.
    public var tokens = TokenConfiguration()
    /// `HOST:PORT` to serve Prometheus metrics on (`GET /metrics`); nil: off.
    public var metricsListen: String?
    /// How long utilisation must stay above the target before the autoscaler
    /// adds replicas. Default 0: on the first sample above it.
    public var autoscaleScaleUpDelay: Duration = .zero
    /// How long utilisation must stay below the target before the autoscaler
    /// removes replicas (and a scale-to-zero service stops its last). Default 60 s.
    public var autoscaleScaleDownDelay: Duration = .seconds(60)
    /// Overrides every service's `autoscale_refresh_seconds` (whole seconds);
    /// for tests and benchmarks that want finer sampling. Default nil.
    public var autoscaleRefresh: Duration?
    /// Serve TLS from these files (reloaded by ``ModelGateServerApp/reloadTLS()``);
    /// plaintext when `nil`.
    public var tls: TLSServerConfiguration?

    public static let defaultPort = 7070

    public init(
        dataDirectory: String,
        host: String = "127.0.0.1",
        port: Int = ServerConfiguration.defaultPort,
        limits: RPCLimits = RPCLimits(),
        maxConnections: Int = 10_000,
        drainTimeout: Duration = .seconds(30),
        accessTokenLifetime: Duration = .seconds(24 * 3600),
        secretHashIterations: Int = SecretHasher.defaultIterations,
        replicaRuntimeDirectory: String? = nil,
        modelLimits: ModelLimits = ModelLimits(),
        environments: EnvironmentCache.Configuration = EnvironmentCache.Configuration()
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.limits = limits
        self.maxConnections = maxConnections
        self.drainTimeout = drainTimeout
        self.accessTokenLifetime = accessTokenLifetime
        self.secretHashIterations = secretHashIterations
        self.replicaRuntimeDirectory = replicaRuntimeDirectory
        self.modelLimits = modelLimits
        self.environments = environments
    }
}
