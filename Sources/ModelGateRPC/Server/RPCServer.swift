public import Logging
public import ServiceLifecycle
public import NIOCore

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

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

/// The ModelGate protocol server: accepts connections, checks the preface,
/// multiplexes streams, runs each call's handler from the ``RPCRouter`` as a
/// child task of its connection, and drains on graceful shutdown (GO_AWAY,
/// stop accepting, wait for in-flight calls, close).
public final class RPCServer: Service, Sendable {
    public init(configuration: RPCServerConfiguration, router: RPCRouter, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        fatalError("RPCServer is being written")
    }

    /// Binds, serves until graceful shutdown or cancellation, then drains.
    public func run() async throws {
        fatalError("RPCServer is being written")
    }

    /// The port the server listens on, once bound (waits for the bind).
    public func boundPort() async throws -> Int {
        fatalError("RPCServer is being written")
    }
}
