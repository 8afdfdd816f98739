import Logging
import ModelGateAPI
@testable import ModelGateRPC
import ModelGateWire
import NIOCore
import NIOEmbedded
import Testing

/// A closed connection frees its handler: nothing it set up keeps it alive.
@Suite("Connection lifetime")
struct ConnectionLifetimeTests {
    @Test("The server's connection handler is freed once its connection closes")
    func serverHandlerIsFreedAfterClose() throws {
        // Given a connection that completed its handshake and one call's headers
        weak var weakHandler: ServerConnectionHandler?
        try {
            let channel = EmbeddedChannel()
            let (_, continuation) = AsyncStream.makeStream(of: AcceptedCall.self)
            var router = RPCRouter()
            router.unary(TestMethod.unary) { (request: TestMessage, _) in request }
            let limits = RPCLimits()
            let handler = ServerConnectionHandler(
                limits: limits, handlers: router.handlers, allocator: channel.allocator,
                calls: continuation, peer: "embedded", logger: makeTestLogger()
            )
            weakHandler = handler
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxPayload: limits.maxFrameSize)))
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            var headers = CallHeaders()
            headers.method = TestMethod.unary
            try channel.writeInbound(ByteBuffer(bytes: Preface.bytes))
            try channel.writeInbound(ByteBuffer(bytes: RawFrameClient.frameBytes(.headers, streamID: 1, payload: headers.encoded())))

            // When the connection closes
            _ = try? channel.finish()
            continuation.finish()
        }()

        // Then no reference cycle keeps the handler alive
        #expect(weakHandler == nil)
    }
}
