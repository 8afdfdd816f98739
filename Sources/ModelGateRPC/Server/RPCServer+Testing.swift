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
    @_spi(Testing)
    public static func addConnectionHandlers(
        to channel: any Channel, limits: RPCLimits, router: RPCRouter, logger: Logger
    ) throws {
        let (_, calls) = try Self.installConnectionHandlers(
            on: channel, limits: limits, router: router,
            peer: channel.remoteAddress.map { "\($0)" } ?? "embedded", logger: logger)
        // Dropping `calls` would refuse every call as the connection closing;
        // holding it until close keeps accepted calls open, unserved.
        channel.closeFuture.whenComplete { _ in withExtendedLifetime(calls) {} }
    }
}
