public import Logging
internal import CoreMetrics
internal import ModelGateRPC
internal import ModelGateTLS
public import NIOCore
internal import NIOPosix
internal import Prometheus
public import ServiceLifecycle
internal import Synchronization

/// The ModelGate server: the control-plane database, the services, and the
/// RPC listener, as one `Service` for a `ServiceGroup`.
///
/// ```swift
/// let app = try await ModelGateServerApp(
///     configuration: ServerConfiguration(dataDirectory: "/var/lib/modelgate"),
///     logger: logger, eventLoopGroup: MultiThreadedEventLoopGroup.singleton
/// )
/// let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
/// try await group.run()
/// ```
///
/// State lives in `<dataDir>/modelgate.sqlite` (WAL, `synchronous=FULL`): every
/// acknowledged change is committed before the answer is sent, so a restart,
/// even after `kill -9`, finds it. Access tokens are stored there too and stay
/// valid across restarts.
public final class ModelGateServerApp: Service, Sendable {
    /// The server's version, reported by `Health`.
    public static let version = "0.1.0"

    public let configuration: ServerConfiguration
    /// Where the admin principal's credentials are written (mode 0600).
    public var credentialsPath: String { self.dataDirectory.credentialsPath }

    private let dataDirectory: DataDirectory
    /// Held until the app has stopped; see ``DataDirectoryLock``.
    private let dataDirectoryLock: DataDirectoryLock
    private let database: Database
    private let server: RPCServer
    /// The TLS context new connections use, when serving TLS.
    private let tls: ReloadableTLSContext?
    /// The deployed services the data plane serves; the deployment controller
    /// registers and removes them, the scoring service reads them.
    let servingRegistry: ServingRegistry
    /// Where replicas run: child processes of this server.
    let replicaBackend: any ReplicaBackend
    /// Registered models and their files; deployments materialise them from here.
    let models: ModelStore
    /// Finds or builds the environments deployments run in.
    let environmentCache: EnvironmentCache
    /// Deploys services and brings them back at start-up.
    let deployments: DeploymentController
    /// Which regions are down and where each workspace lives, in memory; read
    /// by every workspace call and by the token service.
    let regionAvailability: RegionAvailability
    /// Workspaces' token signing keys (rotation on demand goes through here).
    let signingKeys: SigningKeyRing
    /// Every endpoint's metrics; served on `/metrics` when ``ServerConfiguration/metricsListen`` is set.
    let metricsRegistry = PrometheusCollectorRegistry()
    /// `GET /metrics`, when configured.
    let metricsServer: MetricsHTTPServer?
    /// Keeps the scoring data of services with `collect_model_data` on; its
    /// writer runs for as long as ``run()`` and closes its files last.
    let dataCollector: DataCollector
    private let logger: Logger
    private let state = Mutex(State.idle)

    /// ``run()`` may be called once.
    private enum State {
        /// Initialised, not yet run. Can transition to `running`.
        case idle
        /// Serving. Can transition to `finished`.
        case running
        /// Run has returned and the database is closed. Final.
        case finished
    }

    /// Opens (creating and migrating) the database, prepares the data
    /// directory and, on first start, creates the admin principal and its
    /// credentials file. Does not listen yet; ``run()`` does.
    ///
    /// - Throws: File-system and database errors, such as a data directory
    ///   that cannot be created or a database from a newer server.
    public init(configuration: ServerConfiguration, logger: Logger, eventLoopGroup: any EventLoopGroup) async throws {
        self.configuration = configuration
        self.logger = logger
        let startedAt = ContinuousClock.now
        let clock = WallClock.system
        // Unusable certificate files stop the start before anything else happens.
        self.tls = try configuration.tls.map { configuration throws(TLSError) in try ReloadableTLSContext(configuration: configuration) }
        if let tls = self.tls {
            logger.info("TLS certificate loaded", metadata: ["tls.certificate.sha256": "\(tls.current.certificateFingerprint ?? "?")"])
        }
        self.dataDirectory = try DataDirectory.prepare(configuration.dataDirectory, logger: logger)
        self.dataDirectoryLock = try DataDirectoryLock(directory: self.dataDirectory.path)
        self.database = try await Database(path: self.dataDirectory.databasePath)
        self.servingRegistry = ServingRegistry()
        self.dataCollector = DataCollector(root: self.dataDirectory.collectedPath, logger: logger)
        do {
            self.replicaBackend = try LocalProcessBackend(
                runtimeDirectory: try configuration.replicaRuntimeDirectory ?? LocalProcessBackend.bundledRuntimeDirectory(),
                socketDirectory: self.dataDirectory.path + "/sockets", eventLoopGroup: eventLoopGroup, logger: logger
            )
            try await Migrations.migrate(self.database, logger: logger)
            let principals = PrincipalStore(database: self.database)
            let workspaces = WorkspaceStore(database: self.database)
            let regions = RegionStore(database: self.database)
            let hasher = SecretHasher(iterations: configuration.secretHashIterations, threadPool: .singleton)
            let issuer = AccessTokenIssuer(
                sessions: SessionStore(database: self.database), lifetime: configuration.accessTokenLifetime, clock: clock
            )
            let regionAvailability = try await RegionAvailability.load(regions: regions, workspaces: workspaces)
            self.regionAvailability = regionAvailability
            let authenticator = Authenticator(issuer: issuer, principals: principals, regionAvailability: regionAvailability)
            let blobs = try BlobStore(root: self.dataDirectory.blobsPath, threadPool: .singleton)
            let models = try ModelStore(database: self.database, blobs: blobs, materializedRoot: self.dataDirectory.modelsPath)
            self.models = models
            self.environmentCache = try EnvironmentCache(
                database: self.database, root: self.dataDirectory.environmentsPath,
                configuration: configuration.environments, threadPool: .singleton, clock: clock, logger: logger
            )
            let environments = EnvironmentStore(database: self.database)
            let tokenKeys = TokenVerificationKeys()
            let keyRing = SigningKeyRing(
                store: SigningKeyStore(database: self.database), verificationKeys: tokenKeys,
                configuration: configuration.tokens, clock: clock, logger: logger
            )
            try await keyRing.load()
            self.signingKeys = keyRing
            let computes = ComputeStore(database: self.database)
            let services = ServiceStore(database: self.database)
            var metricsFactory = PrometheusMetricsFactory(registry: self.metricsRegistry)
            metricsFactory.durationHistogramBuckets[EndpointMetrics.latencyName] = [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
                .seconds(10), .seconds(30), .seconds(60),
            ]
            metricsFactory.durationHistogramBuckets[EndpointMetrics.coldStartName] = [
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
                .seconds(30), .seconds(60), .seconds(300),
            ]
            if let listen = configuration.metricsListen {
                guard let (host, port) = MetricsHTTPServer.parseAddress(listen) else {
                    throw MetricsHTTPServer.RuntimeError("--metrics-listen wants HOST:PORT, such as 127.0.0.1:9464 (got '\(listen)')")
                }
                self.metricsServer = MetricsHTTPServer(
                    host: host, port: port, registry: self.metricsRegistry, eventLoopGroup: eventLoopGroup, logger: logger
                )
            } else {
                self.metricsServer = nil
            }
            var autoscale = DeploymentController.AutoscaleSettings()
            autoscale.scaleUpDelay = configuration.autoscaleScaleUpDelay
            autoscale.scaleDownDelay = configuration.autoscaleScaleDownDelay
            autoscale.refresh = configuration.autoscaleRefresh
            let deployments = DeploymentController(dependencies: DeploymentController.Dependencies(
                services: services, endpoints: EndpointStore(database: self.database), workspaces: workspaces, computes: computes,
                environments: environments, models: models, sources: try SourceArchives(blobs: blobs, root: self.dataDirectory.sourcesPath),
                environmentCache: self.environmentCache, registry: self.servingRegistry, backend: self.replicaBackend,
                eventLoopGroup: eventLoopGroup, clock: clock, logger: logger,
                tokenKeys: tokenKeys, tokenClockSkew: configuration.tokens.clockSkew,
                autoscale: autoscale, metricsFactory: metricsFactory
            ))
            self.deployments = deployments
            try await AdminBootstrap.ensureAdmin(
                principals: principals, hasher: hasher, clock: clock,
                credentialsPath: self.dataDirectory.credentialsPath, logger: logger
            )

            var router = RPCRouter()
            IdentityService(
                principals: principals, workspaces: workspaces, issuer: issuer,
                authenticator: authenticator, hasher: hasher, clock: clock
            ).register(in: &router)
            WorkspaceService(
                workspaces: workspaces, regions: regions, authenticator: authenticator, clock: clock,
                availability: regionAvailability
            ).register(in: &router)
            ComputeService(
                computes: computes, workspaces: workspaces, regions: regions, authenticator: authenticator, clock: clock,
                isComputeInUse: { workspace, name in await deployments.isComputeInUse(workspace: workspace, compute: name) },
                usage: { workspace, name in await deployments.usage(workspace: workspace, compute: name) }
            ).register(in: &router)
            ModelService(
                models: models, environments: environments, workspaces: workspaces, authenticator: authenticator,
                limits: configuration.modelLimits, clock: clock,
                isModelInUse: { workspace, name, version in
                    try await services.isModelInUse(workspace: workspace, name: name, version: version)
                }
            ).register(in: &router)
            ScoringService(
                version: Self.version, startedAt: startedAt, clock: clock, registry: self.servingRegistry,
                recorder: ScoringRecorder(logger: logger, collector: self.dataCollector, clock: clock)
            ).register(in: &router)
            DeploymentService(controller: deployments, authenticator: authenticator, collectedData: self.dataCollector)
                .register(in: &router)
            let tokens = TokenService(
                controller: deployments, workspaces: workspaces, computes: computes, regions: regions, availability: regionAvailability,
                keyRing: keyRing, configuration: configuration.tokens, clock: clock
            )
            AuthService(controller: deployments, authenticator: authenticator, tokens: tokens).register(in: &router)
            UnimplementedMethods.register(in: &router)

            var rpcConfiguration = RPCServerConfiguration(host: configuration.host, port: configuration.port)
            rpcConfiguration.limits = configuration.limits
            rpcConfiguration.maxConnections = configuration.maxConnections
            rpcConfiguration.drainTimeout = configuration.drainTimeout
            rpcConfiguration.tls = self.tls
            self.server = RPCServer(configuration: rpcConfiguration, router: router, eventLoopGroup: eventLoopGroup, logger: logger)
        } catch {
            await self.database.close()
            throw error
        }
    }

    /// Serves until graceful shutdown or cancellation, then drains in-flight
    /// calls and closes the database.
    ///
    /// Once listening, records the bound address in the credentials file.
    public func run() async throws {
        let canRun = self.state.withLock { state -> Bool in
            guard case .idle = state else { return false }
            state = .running
            return true
        }
        guard canRun else {
            fatalError("ModelGateServerApp.run() should only be called once")
        }
        // The collector's writer outlives the listener: it stops in `finish()`,
        // after the calls have drained, and this waits for its files to close.
        try await withThrowingTaskGroup(of: Void.self) { writer in
            writer.addTask { await self.dataCollector.run() }
            try await self.serve()
        }
    }

    /// Listens until shutdown, then stops everything (the collector's writer included).
    private func serve() async throws {
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await self.server.run()
                    return true
                }
                if let metricsServer = self.metricsServer {
                    group.addTask {
                        try await metricsServer.run()
                        return false
                    }
                }
                group.addTask {
                    do {
                        let port = try await self.server.boundPort()
                        let address = Self.clientAddress(host: self.configuration.host, port: port)
                        await AdminBootstrap.recordServerAddress(address, credentialsPath: self.credentialsPath, logger: self.logger)
                        // Services deployed before the restart come back in the background.
                        try await self.deployments.start(serverAddress: address)
                        self.logger.info("ModelGate server listening", metadata: [
                            "server.address": "\(address)", "server.version": "\(Self.version)",
                            "data.path": "\(self.dataDirectory.path)", "credentials.path": "\(self.credentialsPath)",
                        ])
                    } catch is CancellationError {
                        // The listener ended (a shutdown right after start) before start-up finished: not a failure.
                    }
                    return false
                }
                // When the listener ends (shutdown or failure), stop waiting for the bind.
                while let serverEnded = try await group.next() {
                    if serverEnded { group.cancelAll() }
                }
            }
        } catch {
            await self.finish()
            throw error
        }
        await self.finish()
    }

    /// Reads the TLS certificate, key and client CA files again (on SIGHUP):
    /// new connections use them, open ones keep theirs. A failed reload keeps
    /// the old certificate and is logged at error.
    ///
    /// - Returns: the new certificate's SHA-256 fingerprint, or `nil` when the
    ///   server serves plaintext or the reload failed.
    @discardableResult
    public func reloadTLS() -> String? {
        guard let tls = self.tls else {
            self.logger.info("TLS reload requested, but the server is not serving TLS")
            return nil
        }
        do {
            let context = try tls.reload()
            let fingerprint = context.certificateFingerprint ?? "?"
            self.logger.info("TLS certificate reloaded", metadata: ["tls.certificate.sha256": "\(fingerprint)"])
            return fingerprint
        } catch {
            self.logger.error("TLS reload failed; keeping the previous certificate", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The port the server listens on, once bound (waits for the bind).
    public func boundPort() async throws -> Int {
        try await self.server.boundPort()
    }

    /// The port `/metrics` is served on, once bound; throws when metrics are off.
    public func metricsBoundPort() async throws -> Int {
        guard let metricsServer = self.metricsServer else {
            throw MetricsHTTPServer.RuntimeError("metrics are off: start the server with --metrics-listen HOST:PORT")
        }
        return try await metricsServer.boundPort()
    }

    /// Every metric now, in Prometheus' text format (what `/metrics` serves).
    var metricsText: String { self.metricsRegistry.emitToString() }

    /// Makes this server's registry the process's swift-metrics backend, so
    /// that libraries' metrics are exported too. Once per process (the
    /// `serve` command); tests never call it.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: self.metricsRegistry))
    }

    private func finish() async {
        // Calls have drained: every acknowledged request is in the collector's
        // buffer; its writer now writes it, syncs and closes the files.
        self.dataCollector.finish()
        // Now the rollouts and the replicas.
        await self.deployments.shutdown()
        await self.replicaBackend.shutdown()
        await self.database.close()
        self.dataDirectoryLock.release()
        self.state.withLock { $0 = .finished }
        self.logger.info("ModelGate server stopped")
    }

    /// The address a client on this machine should dial: a wildcard listen
    /// address becomes loopback, and IPv6 literals get brackets.
    static func clientAddress(host: String, port: Int) -> String {
        switch host {
        case "", "0.0.0.0": return "127.0.0.1:\(port)"
        case "::", "[::]": return "[::1]:\(port)"
        default: return host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}
