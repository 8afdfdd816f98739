internal import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
internal import Prometheus
internal import Synchronization

/// A minimal HTTP/1.1 server for Prometheus: `GET /metrics` answers the
/// registry in the text exposition format (0.0.4); anything else is 404 or
/// 405. Started by `modelgate serve --metrics-listen HOST:PORT`.
///
/// It serves nothing else and reads no body, so it needs no limits beyond
/// NIO's HTTP parser's; each connection is kept alive as the client asks.
final class MetricsHTTPServer: Sendable {
    let host: String
    let port: Int
    private let registry: PrometheusCollectorRegistry
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)
    private let bound = OneShotSignal<Result<Int, any Error>>()

    init(host: String, port: Int, registry: PrometheusCollectorRegistry, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.host = host
        self.port = port
        self.registry = registry
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Listens until cancelled.
    func run() async throws {
        let registry = self.registry
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsRequestHandler(registry: registry))
                    }
                }
                .bind(host: self.host, port: self.port).get()
        } catch {
            self.bound.complete(.failure(error))
            throw error
        }
        self.channel.withLock { $0 = channel }
        let port = channel.localAddress?.port ?? self.port
        self.bound.complete(.success(port))
        self.logger.info("Metrics listening", metadata: ["metrics.address": "\(self.host):\(port)"])
        await withTaskCancellationHandler {
            try? await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// The port it listens on, once bound (for `--metrics-listen HOST:0`).
    func boundPort() async throws -> Int {
        guard let result = await self.bound.wait(on: self.eventLoopGroup.next()) else {
            throw RuntimeError("the metrics server stopped before it listened")
        }
        return try result.get()
    }

    /// Parses `HOST:PORT` (`[::1]:9090` for IPv6).
    static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }

    struct RuntimeError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Answers one HTTP request at a time on a connection.
private final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry
    private var head: HTTPRequestHead?

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            self.respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let status: HTTPResponseStatus
        let body: [UInt8]
        var contentType = "text/plain; charset=utf-8"
        switch (head.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            status = .ok
            body = self.registry.emitToBuffer()
            contentType = "text/plain; version=0.0.4; charset=utf-8"
        case (_, "/metrics"):
            status = .methodNotAllowed
            body = Array("only GET /metrics\n".utf8)
        default:
            status = .notFound
            body = Array("not found; metrics are at /metrics\n".utf8)
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(body.count)")
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET, HEAD") }
        let responseHead = HTTPResponseHead(version: head.version, status: status, headers: headers)
        context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }
}
