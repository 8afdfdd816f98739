public import Logging
public import NIOCore
import ModelGateAPI
public import ModelGateTLS
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// Where and how an ``RPCServer`` listens.
public struct RPCServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; read it from ``RPCServer/boundPort()``.
    public var port: Int
    public var limits = RPCLimits()
    /// Most connections open at once; more are closed right after accept. Default 10,000.
    public var maxConnections: Int = 10_000
    /// How long a graceful shutdown waits for in-flight calls before closing. Default 30 s.
    public var drainTimeout: Duration = .seconds(30)
    /// Serve TLS with this context (reloadable), or plaintext when `nil`.
    /// Each connection takes the context current at accept.
    public var tls: ReloadableTLSContext?

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

/// The ModelGate protocol server: accepts connections, checks the preface,
/// multiplexes streams, runs each call's handler from the ``RPCRouter`` as a
/// child task of its connection, and drains on graceful shutdown (GO_AWAY,
/// stop accepting, wait for in-flight calls, close).
///
/// ```swift
/// let server = RPCServer(configuration: .init(host: "127.0.0.1", port: 0), router: router,
///                        eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
/// let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public final class RPCServer: Service, Sendable {
    /// Can transition idle → running → stopped, or idle → stopped.
    private enum State {
        /// Not bound yet; `boundPort()` callers wait here.
        case idle(portWaiters: [UnsafeContinuation<Int, any Error>])
        case running(serverChannel: any Channel, port: Int)
        case stopped
    }

    /// The connections being served, for GO_AWAY on shutdown and the connection limit.
    private struct Registry {
        var connections: [UInt64: ServerConnection] = [:]
        /// Connections counted at accept, before they reach the registry.
        var reserved = 0
        var draining = false
        var drainTimer: Scheduled<Void>?
    }

    private let configuration: RPCServerConfiguration
    private let router: RPCRouter
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State.idle(portWaiters: []))
    private let registry = Mutex(Registry())
    private let nextConnectionID = Atomic<UInt64>(0)
    private let activeCalls = ActiveCallCounter()

    public init(configuration: RPCServerConfiguration, router: RPCRouter, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.router = router
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Connections open now.
    public var connectionCount: Int { self.registry.withLock { $0.connections.count } }

    /// Calls whose handler is still running, on all connections.
    public var activeCallCount: Int { self.activeCalls.value }

    /// Binds, serves until graceful shutdown or cancellation, then drains.
    public func run() async throws {
        let serverChannel: NIOAsyncChannel<ServerConnection?, Never>
        do {
            serverChannel = try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: self.configuration.host, port: self.configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try self.setUpConnection(channel) }
                }
        } catch {
            self.transition(to: .stopped, failing: error)
            throw error
        }
        let port = serverChannel.channel.localAddress?.port ?? self.configuration.port
        self.transition(to: .running(serverChannel: serverChannel.channel, port: port), failing: nil)
        if self.registry.withLock({ $0.draining }) {
            // Shutdown was requested before the bind finished.
            serverChannel.channel.close(promise: nil)
        }
        self.logger.info("RPC server listening", metadata: ["server.host": "\(self.configuration.host)", "server.port": "\(port)"])

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                do {
                    try await serverChannel.executeThenClose { inbound in
                        for try await connection in inbound {
                            guard let connection else { continue }
                            group.addTask { await connection.run(activeCalls: self.activeCalls) }
                        }
                    }
                } catch {
                    self.logger.debug("Accept loop ended", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            self.triggerGracefulShutdown()
        }
        self.registry.withLock { $0.drainTimer?.cancel() }
        self.transition(to: .stopped, failing: nil)
        self.logger.info("RPC server stopped")
    }

    /// The port the server listens on, once bound (waits for the bind).
    public func boundPort() async throws -> Int {
        try await withUnsafeThrowingContinuation { continuation in
            let outcome: Result<Int, any Error>? = self.state.withLock { state in
                switch state {
                case .idle(var waiters):
                    waiters.append(continuation)
                    state = .idle(portWaiters: waiters)
                    return nil
                case .running(_, let port):
                    return .success(port)
                case .stopped:
                    return .failure(RPCError(code: .unavailable, message: "the server is not running"))
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Starts a graceful shutdown, as a `ServiceGroup` does on SIGTERM: stop
    /// accepting, send GO_AWAY on every connection, let in-flight calls finish,
    /// and force-close what is left after `drainTimeout`. ``run()`` returns
    /// once every connection has closed.
    public func triggerGracefulShutdown() {
        let (channel, connections) = self.registry.withLock { registry -> ((any Channel)?, [ServerConnection]) in
            guard !registry.draining else { return (nil, []) }
            registry.draining = true
            let channel: (any Channel)? = self.state.withLock { state in
                if case .running(let channel, _) = state { return channel }
                return nil
            }
            let timeout = TimeAmount(self.configuration.drainTimeout)
            registry.drainTimer = self.eventLoopGroup.next().scheduleTask(in: timeout) { [weak self] in
                self?.forceCloseConnections()
            }
            return (channel, Array(registry.connections.values))
        }
        guard let channel else { return }
        self.logger.info("RPC server draining", metadata: ["connections": "\(connections.count)"])
        channel.close(promise: nil)
        for connection in connections { connection.beginGracefulShutdown() }
    }

    private func forceCloseConnections() {
        let connections = self.registry.withLock { Array($0.connections.values) }
        if !connections.isEmpty {
            self.logger.info("Drain timeout reached; closing remaining connections", metadata: ["connections": "\(connections.count)"])
        }
        for connection in connections { connection.channel.close(promise: nil) }
    }

    private func transition(to newState: State, failing error: (any Error)?) {
        let waiters: [UnsafeContinuation<Int, any Error>] = self.state.withLock { state in
            defer { state = newState }
            if case .idle(let waiters) = state { return waiters }
            return []
        }
        for waiter in waiters {
            switch newState {
            case .running(_, let port): waiter.resume(returning: port)
            default: waiter.resume(throwing: error ?? RPCError(code: .unavailable, message: "the server is not running"))
            }
        }
    }

    /// The child channel initializer: the connection limit, then the pipeline.
    private func setUpConnection(_ channel: any Channel) throws -> ServerConnection? {
        let limit = self.configuration.maxConnections
        let refusal: String? = self.registry.withLock { registry in
            if registry.draining { return "server is shutting down" }
            guard registry.connections.count + registry.reserved < limit else {
                return "server has reached its limit of \(limit) connections"
            }
            registry.reserved += 1
            return nil
        }
        if let refusal {
            self.logger.debug("Refused connection", metadata: ["reason": "\(refusal)"])
            let code: StatusCode = refusal.hasPrefix("server is shutting down") ? .unavailable : .resourceExhausted
            if let tls = self.configuration.tls?.current {
                // The GO_AWAY goes out once the handshake is done; a peer that never finishes
                // it is closed at the preface deadline, as a served connection would be.
                try channel.pipeline.syncOperations.addHandler(TLSHandler(context: tls))
                let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(self.configuration.limits.handshakeTimeout)) {
                    channel.close(promise: nil)
                }
                channel.closeFuture.whenComplete { _ in deadline.cancel() }
            }
            try channel.pipeline.syncOperations.addHandler(ConnectionRejectionHandler(code: code, message: refusal))
            return nil
        }

        let id = self.nextConnectionID.add(1, ordering: .relaxed).newValue
        let peer = channel.remoteAddress.map { "\($0)" } ?? "unknown"
        var logger = self.logger
        logger[metadataKey: "connection.id"] = "\(id)"
        logger[metadataKey: "connection.peer"] = "\(peer)"
        let (handler, calls) = try Self.installConnectionHandlers(
            on: channel, limits: self.configuration.limits, router: self.router, peer: peer,
            tls: self.configuration.tls?.current, logger: logger)
        let connection = ServerConnection(
            id: id, channel: channel, calls: calls, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop), logger: logger
        )
        let draining = self.registry.withLock { registry in
            registry.reserved -= 1
            registry.connections[id] = connection
            return registry.draining
        }
        if draining { connection.beginGracefulShutdown() }
        let connectionLogger = logger
        channel.closeFuture.whenComplete { _ in
            _ = self.registry.withLock { $0.connections.removeValue(forKey: id) }
            connectionLogger.debug("Connection closed")
        }
        logger.debug("Accepted connection")
        return connection
    }
}

extension RPCServer {
    /// The one place a connection's pipeline is built, for served connections
    /// and for the fuzzer's embedded ones alike.
    static func installConnectionHandlers(
        on channel: any Channel, limits: RPCLimits, router: RPCRouter, peer: String, tls: TLSContext? = nil, logger: Logger
    ) throws -> (ServerConnectionHandler, AsyncStream<AcceptedCall>) {
        let (calls, continuation) = AsyncStream.makeStream(of: AcceptedCall.self)
        let handler = ServerConnectionHandler(
            limits: limits, handlers: router.handlers, allocator: channel.allocator,
            calls: continuation, peer: peer, logger: logger
        )
        let sync = channel.pipeline.syncOperations
        // TLS next to the socket; the handshake counts against the preface deadline,
        // and a failed one (a plaintext client, a refused certificate) closes this
        // connection only, logged at debug by the connection handler.
        if let tls { try sync.addHandler(TLSHandler(context: tls)) }
        // Stop reading while the socket cannot take our writes: a peer that does
        // not read cannot make us buffer its answers without bound (slow read).
        try sync.addHandler(BackPressureHandler())
        try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxPayload: limits.maxFrameSize)))
        try sync.addHandler(handler)
        return (handler, calls)
    }
}
