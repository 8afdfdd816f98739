import NIOCore
import NIOPosix

/// The ceiling: the same frames over a raw NIO socket, a server that answers
/// each request frame and a client that keeps N requests in flight, with no
/// streams, no protobuf and no tasks.
struct RawFrameScenario {
    let serverGroup: any EventLoopGroup
    let clientGroup: any EventLoopGroup
    /// The request frame's payload: the encoded ScoreRequest the RPC side sends.
    let payload: [UInt8]

    func run(inFlight: Int, warmup: Duration, measure: Duration) async throws -> Measurement {
        let server = try await ServerBootstrap(group: self.serverGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ByteToMessageHandler(RawFrameDecoder(maxPayload: 4 * 1024 * 1024)))
                    try sync.addHandler(RawEchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        guard let port = server.localAddress?.port else { throw BenchError("raw server has no port") }

        let eventLoop = self.clientGroup.next()
        let done = eventLoop.makePromise(of: Measurement.self)
        let measureStart = NIODeadline.now() + .nanoseconds(warmup.nanoseconds)
        let end = measureStart + .nanoseconds(measure.nanoseconds)
        let payload = ByteBuffer(bytes: self.payload)
        let inFlight = inFlight
        _ = try await ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ByteToMessageHandler(RawFrameDecoder(maxPayload: 4 * 1024 * 1024)))
                    try sync.addHandler(RawLoadHandler(inFlight: inFlight, payload: payload, measureStart: measureStart, end: end, done: done))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return try await done.futureResult.get()
    }
}
