public import Logging
public import NIOCore

extension RPCServer {
    /// Adds the handlers that serve one accepted connection (the frame decoder
    /// and the connection state machine, as ``run()`` installs them) to
    /// `channel`, usually an `EmbeddedChannel`.
    ///
    /// Calls the pipeline accepts are kept pending until the channel closes and
    /// never run: their handlers are async, and this hook exists to drive the
    /// event-loop side synchronously, for the fuzzer in `tools/fuzz` and tests.
    /// Keep it in step with `setUpConnection` in RPCServer.swift.
    @_spi(Testing)
    public static func addConnectionHandlers(
        to channel: any Channel, limits: RPCLimits, router: RPCRouter, logger: Logger
    ) throws {
        let (calls, continuation) = AsyncStream.makeStream(of: AcceptedCall.self)
        let handler = ServerConnectionHandler(
            limits: limits, handlers: router.handlers, allocator: channel.allocator,
            calls: continuation, peer: channel.remoteAddress.map { "\($0)" } ?? "embedded", logger: logger
        )
        let sync = channel.pipeline.syncOperations
        // Stop reading while the socket cannot take our writes: a peer that does
        // not read cannot make us buffer its answers without bound (slow read).
        try sync.addHandler(BackPressureHandler())
        try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxPayload: limits.maxFrameSize)))
        try sync.addHandler(handler)
        // Dropping `calls` would refuse every call as the connection closing;
        // holding it until close keeps accepted calls open, unserved.
        channel.closeFuture.whenComplete { _ in withExtendedLifetime(calls) {} }
    }
}
