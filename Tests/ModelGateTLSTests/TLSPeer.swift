import ModelGateTLS
import NIOCore
import NIOPosix

/// Real TLS peers on 127.0.0.1: a server that echoes every byte (and closes
/// on "bye"), and clients that record what they receive.
enum TLSPeer {
    /// Serves `context` (read at accept, as the RPC server does) for the duration of `body`.
    static func withEchoServer<T>(
        context: @escaping @Sendable () -> TLSContext, _ body: (Int) async throws -> T
    ) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // As the RPC server and client do: no Nagle delay on small writes.
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TLSHandler(context: context()))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            let result = try await body(server.localAddress?.port ?? 0)
            try await server.close()
            return result
        } catch {
            try? await server.close()
            throw error
        }
    }

    /// Connects with TLS; the handshake runs in the background (see ``Recorder``).
    static func connect(port: Int, context: TLSContext, serverHostname: String = "localhost") async throws -> (any Channel, Recorder) {
        let recorder = Recorder()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TLSHandler(context: context, serverHostname: serverHostname))
                    try channel.pipeline.syncOperations.addHandler(recorder)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return (channel, recorder)
    }
}

/// Echoes; "bye" closes the connection (sending close_notify).
final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        // Compared as bytes: decoding arbitrary bytes as UTF-8 is slow (and throws internally).
        if buffer.readableBytes == 3, buffer.getBytes(at: buffer.readerIndex, length: 3) == Array("bye".utf8) {
            context.close(promise: nil)
            return
        }
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

/// What a client saw: the handshake, the bytes, the first error, the close.
final class Recorder: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: the mutable state is only touched on the channel's event loop;
    // tests read it through the async accessors, which hop there.
    typealias InboundIn = ByteBuffer

    private var handshake: TLSHandshakeCompleted?
    private var received = ByteBuffer()
    private var error: (any Error)?
    private var closed = false
    private var waiters: [(condition: (Recorder) -> Bool, promise: EventLoopPromise<Void>)] = []
    private var eventLoop: (any EventLoop)?

    func handlerAdded(context: ChannelHandlerContext) {
        self.eventLoop = context.eventLoop
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSHandshakeCompleted { self.handshake = event }
        self.check()
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data)
        self.received.writeBuffer(&buffer)
        self.check()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        self.check()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.closed = true
        self.check()
        context.fireChannelInactive()
    }

    private func check() {
        var remaining: [(condition: (Recorder) -> Bool, promise: EventLoopPromise<Void>)] = []
        for waiter in self.waiters {
            if waiter.condition(self) { waiter.promise.succeed() } else { remaining.append(waiter) }
        }
        self.waiters = remaining
    }

    /// Waits (on the loop) until `condition` holds; a hang is broken by the test's time limit.
    private func wait(on channel: any Channel, until condition: @escaping (Recorder) -> Bool) async throws {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        channel.eventLoop.execute {
            if condition(self) { promise.succeed() } else { self.waiters.append((condition, promise)) }
        }
        try await promise.futureResult.get()
    }

    /// The handshake's outcome, once the handshake finished or the connection failed.
    func handshakeOutcome(_ channel: any Channel) async throws -> Result<TLSHandshakeCompleted, any Error> {
        try await self.wait(on: channel) { $0.handshake != nil || $0.error != nil || $0.closed }
        return try await channel.eventLoop.submit {
            if let handshake = self.handshake { return .success(handshake) }
            return .failure(self.error ?? TLSError("closed without an error"))
        }.get()
    }

    /// The first `count` bytes received.
    func bytes(_ count: Int, on channel: any Channel) async throws -> [UInt8] {
        try await self.wait(on: channel) { $0.received.readableBytes >= count || $0.closed }
        return try await channel.eventLoop.submit {
            self.received.getBytes(at: self.received.readerIndex, length: min(count, self.received.readableBytes)) ?? []
        }.get()
    }

    /// Waits for the close and returns the error seen first, if any.
    func closeError(_ channel: any Channel) async throws -> (any Error)? {
        try await self.wait(on: channel) { $0.closed }
        return try await channel.eventLoop.submit { self.error }.get()
    }
}
