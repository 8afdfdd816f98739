import NIOCore

/// The raw ceiling's server: answers each request frame with a response frame
/// of the same stream id and payload, one flush per read batch.
final class RawEchoHandler: ChannelInboundHandler {
    typealias InboundIn = RawFrame
    typealias OutboundOut = ByteBuffer

    private var pending: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        var buffer = self.pending ?? context.channel.allocator.buffer(capacity: 4096)
        self.pending = nil
        buffer.writeRawMessageFrame(streamID: frame.streamID, payload: frame.payload)
        self.pending = buffer
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let buffer = self.pending {
            self.pending = nil
            context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
