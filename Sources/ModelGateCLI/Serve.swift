internal import ArgumentParser
internal import Foundation
internal import Logging
internal import ModelGateClient
internal import ModelGateRPC
internal import ModelGateServer
internal import ModelGateTLS
internal import NIOPosix
internal import ServiceLifecycle
internal import UnixSignals

/// `modelgate serve`: runs the server with everything embedded (SQLite and
/// blobs in the data directory), until SIGTERM or SIGINT, which drain in-flight
/// calls, send GO_AWAY and exit 0.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the ModelGate server.",
        discussion: """
            On first start it creates an Owner principal and writes its credentials to \
            <data-dir>/credentials.json (readable only by you); the client commands find them there.
            """
    )

    @Option(name: .long, help: "Address to listen on, HOST:PORT; port 0 picks a free one.")
    var listen: String = "127.0.0.1:\(ServerAddress.defaultPort)"

    @Option(name: .long, help: "Where state lives (default: MODELGATE_DATA_DIR, else ~/.modelgate).")
    var dataDir: String?

    @Option(name: .long, help: "Largest frame or message, in bytes.")
    var maxMessageSize: UInt32 = RPCLimits().maxFrameSize

    @Option(name: .long, help: "Most concurrent streams per connection.")
    var maxConcurrentStreams: Int = RPCLimits().maxConcurrentStreams

    @Option(name: .long, help: "Most open connections.")
    var maxConnections: Int = 10_000

    @Option(name: .long, help: "Largest call header block, in bytes.")
    var maxHeaderSize: UInt32 = RPCLimits().maxHeaderSize

    @Option(name: .long, help: "Seconds an idle connection is kept.")
    var idleTimeout: Int = 300

    @Option(name: .long, help: "Seconds a graceful shutdown waits for in-flight calls.")
    var drainTimeout: Int = 30

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical. Each scoring request logs one line at info; warning turns those off.")
    var logLevel: String = "info"

    @Option(name: .long, help: "Log format on standard error: text, or json (one object per line).")
    var logFormat: LogFormat = .text

    /// How `serve` writes its log.
    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        /// swift-log's `StreamLogHandler`: `<time> <level> <label>: <metadata> <message>`.
        case text
        /// ``JSONLogHandler``: one object per line.
        case json
    }

    @Option(name: .long, help: "Seconds a scoring token is valid (exp - iat).")
    var tokenLifetime: Int = 3600

    @Option(name: .long, help: "Seconds after issue when a client should fetch a new token (refresh_by); below --token-lifetime.")
    var tokenRefreshAfter: Int = 1800

    @Option(name: .long, help: "Seconds a workspace's signing key signs before it rotates.")
    var signingKeyLifetime: Int = 30 * 24 * 3600

    @Option(name: .long, help: "Seconds of clock skew allowed when checking a token's exp and nbf.")
    var tokenClockSkew: Int = 30

    @Option(name: .long, help: "Serve Prometheus metrics on HOST:PORT (GET /metrics); off when not given.")
    var metricsListen: String?

    @Option(name: .long, help: "Seconds utilisation must stay above the target before the autoscaler adds replicas (0: at once).")
    var autoscaleScaleUpDelay: Double = 0

    @Option(name: .long, help: "Seconds utilisation must stay below the target before the autoscaler removes replicas.")
    var autoscaleScaleDownDelay: Double = 60

    @Option(name: .long, help: "Serve TLS with this PEM certificate chain (with --tls-key); SIGHUP reloads it.")
    var tlsCert: String?

    @Option(name: .long, help: "The PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(name: .long, help: "Require client certificates signed by the CAs in this PEM file (needs --tls-cert).")
    var tlsClientCa: String?

    /// The TLS files, when serving TLS.
    var tlsConfiguration: TLSServerConfiguration? {
        guard let certificate = self.tlsCert, let key = self.tlsKey else { return nil }
        return TLSServerConfiguration(certificateChainFile: certificate, privateKeyFile: key, clientCAFile: self.tlsClientCa)
    }

    func validate() throws {
        guard (self.tlsCert == nil) == (self.tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard self.tlsClientCa == nil || self.tlsCert != nil else {
            throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key")
        }
        guard ServerAddress(parsing: self.listen, allowingPortZero: true) != nil else {
            throw ValidationError("--listen '\(self.listen)' is not HOST:PORT")
        }
        guard Logger.Level(rawValue: self.logLevel) != nil else {
            throw ValidationError("--log-level '\(self.logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        guard self.maxMessageSize >= 1024 else { throw ValidationError("--max-message-size must be at least 1024") }
        guard self.maxConcurrentStreams >= 1 else { throw ValidationError("--max-concurrent-streams must be at least 1") }
        guard self.tokenRefreshAfter >= 1, self.tokenRefreshAfter < self.tokenLifetime else {
            throw ValidationError("--token-refresh-after must be at least 1 and below --token-lifetime")
        }
        if let metricsListen = self.metricsListen, !metricsListen.contains(":") || ServerAddress(parsing: metricsListen, allowingPortZero: true) == nil {
            throw ValidationError("--metrics-listen '\(metricsListen)' is not HOST:PORT")
        }
        guard self.autoscaleScaleUpDelay.isFinite, self.autoscaleScaleUpDelay >= 0, self.autoscaleScaleDownDelay.isFinite,
            self.autoscaleScaleDownDelay >= 0
        else {
            throw ValidationError("--autoscale-scale-up-delay and --autoscale-scale-down-delay are seconds, 0 or more")
        }
        guard self.signingKeyLifetime >= 60, (0...3600).contains(self.tokenClockSkew) else {
            throw ValidationError("--signing-key-lifetime must be at least 60 and --token-clock-skew 0 to 3600")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: self.logLevel) ?? .info
        let format = self.logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "modelgate")

        // `validate()` checked the address.
        let address = ServerAddress(parsing: self.listen, allowingPortZero: true) ?? ServerAddress(host: "127.0.0.1", port: ServerAddress.defaultPort)
        var limits = RPCLimits()
        limits.maxFrameSize = self.maxMessageSize
        limits.maxConcurrentStreams = self.maxConcurrentStreams
        limits.maxHeaderSize = self.maxHeaderSize
        limits.idleTimeout = .seconds(self.idleTimeout)

        var configuration = ServerConfiguration(
            dataDirectory: DataDirectory.resolve(self.dataDir), host: address.host, port: address.port,
            limits: limits, maxConnections: self.maxConnections, drainTimeout: .seconds(self.drainTimeout))
        configuration.tokens = TokenConfiguration(
            tokenLifetime: .seconds(self.tokenLifetime), refreshAfter: .seconds(self.tokenRefreshAfter),
            signingKeyLifetime: .seconds(self.signingKeyLifetime), clockSkew: .seconds(self.tokenClockSkew)
        )
        configuration.tls = self.tlsConfiguration
        // Trapped before the server starts: SIGHUP's default action would end the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)

        configuration.metricsListen = self.metricsListen
        configuration.autoscaleScaleUpDelay = .milliseconds(Int64(self.autoscaleScaleUpDelay * 1000))
        configuration.autoscaleScaleDownDelay = .milliseconds(Int64(self.autoscaleScaleDownDelay * 1000))

        let app = try await ModelGateServerApp(
            configuration: configuration, logger: logger, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        app.bootstrapMetricsSystem()
        let group = ServiceGroup(
            configuration: .init(
                services: [app, TLSReloadOnHangup(app: app, signals: hangups)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        // The app logs the bound address and the credentials file's path at info.
        try await group.run()
    }
}
