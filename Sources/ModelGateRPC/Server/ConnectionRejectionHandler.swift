import ModelGateAPI
import ModelGateWire
import NIOCore

/// Sits alone in the pipeline of a connection the server will not serve (over
/// `maxConnections`, or accepted while shutting down): sends the preface and a
/// GO_AWAY naming the reason, then closes, so the client gets a clear error
/// instead of a bare reset.
final class ConnectionRejectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let code: StatusCode
    private let message: String
    private var sent = false

    init(code: StatusCode, message: String) {
        self.code = code
        self.message = message
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.reject(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.reject(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Ignore whatever the client sends meanwhile.
    }

    private func reject(context: ChannelHandlerContext) {
        guard !self.sent else { return }
        self.sent = true
        var goAway = GoAway()
        goAway.code = self.code
        goAway.message = self.message
        let payload = goAway.encoded()
        var buffer = context.channel.allocator.buffer(capacity: Preface.bytes.count + FrameHeader.size + payload.count)
        buffer.writeBytes(Preface.bytes)
        buffer.writeFrame(.goAway, streamID: 0, payload: payload)
        context.writeAndFlush(self.wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
