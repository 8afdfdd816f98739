import Logging
import ModelGateAPI
@_spi(Testing) import ModelGateRPC
import ModelGateWire
import NIOCore
import NIOEmbedded

/// Feeds the input to the server's connection pipeline (the frame decoder and
/// the connection state machine, as ``RPCServer`` installs them on each
/// accepted socket) on an `EmbeddedChannel`.
///
/// Calls the pipeline accepts are kept pending and never run: their handlers
/// are async, and the point here is the event-loop side (framing, stream
/// rules, limits, flow control, timers). Checks, for every input: nothing
/// traps, and everything the server writes back is its preface followed by
/// well-formed frames within the limits it announced.
enum ServerPipelineTarget {
    /// Small limits, so the fuzzer reaches each of them with short inputs.
    static let limits: RPCLimits = {
        var limits = RPCLimits()
        limits.maxFrameSize = 16 * 1024
        limits.maxConcurrentStreams = 4
        limits.maxHeaderSize = 512
        limits.initialStreamWindow = 256
        limits.initialConnectionWindow = 1024
        limits.maxCancellationsPerSecond = 8
        limits.maxControlFramesPerSecond = 16
        return limits
    }()

    /// Methods of every kind, so HEADERS for a known method open a stream.
    static let router: RPCRouter = {
        var router = RPCRouter()
        router.unary(FuzzMethods.unary) { (request: ScoreRequest, _) in ScoreResponse() }
        router.serverStreaming(FuzzMethods.serverStreaming) { (_: HealthRequest, _, _: ResponseWriter<HealthResponse>) in }
        router.clientStreaming(FuzzMethods.clientStreaming) { (_: RequestStream<ScoreRequest>, _) in ScoreResponse() }
        router.bidirectional(FuzzMethods.bidirectional) { (_: RequestStream<ScoreRequest>, _: ResponseWriter<ScoreResponse>, _) in }
        return router
    }()

    static let logger = Logger(label: "modelgate.fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

    static func run(_ bytes: [UInt8], prependPreface: Bool, split: ReadSplit) {
        let channel = EmbeddedChannel()
        do {
            try RPCServer.addConnectionHandlers(to: channel, limits: Self.limits, router: Self.router, logger: Self.logger)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        } catch {
            fatalError("could not set up the server pipeline: \(error)")
        }
        var output = ServerOutputChecker(maxPayload: Self.limits.maxFrameSize)

        let input = prependPreface ? Preface.bytes + bytes : bytes
        for chunk in split.chunks(of: input) {
            guard channel.isActive else { break }
            var buffer = channel.allocator.buffer(capacity: chunk.count)
            buffer.writeBytes(chunk)
            // An error here is the pipeline refusing the peer; that is allowed.
            _ = try? channel.writeInbound(buffer)
            output.drain(channel)
        }
        // Fire the handshake, idle and deadline timers.
        channel.embeddedEventLoop.advanceTime(by: .seconds(400))
        output.drain(channel)
        _ = try? channel.finish(acceptAlreadyClosed: true)
        output.drain(channel)
        output.finish()
    }
}

/// The methods the fuzzing router serves; the seed corpus opens calls to them.
enum FuzzMethods {
    static let unary = "/modelgate.v1.ScoringService/Score"
    static let serverStreaming = "/modelgate.v1.ScoringService/Health"
    static let clientStreaming = "/modelgate.v1.Fuzz/ClientStreaming"
    static let bidirectional = "/modelgate.v1.ScoringService/ScoreStream"
}
