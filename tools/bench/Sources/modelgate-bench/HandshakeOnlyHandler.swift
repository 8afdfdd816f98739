import ModelGateWire
import NIOCore

/// An idle client connection: sends the preface and an empty SETTINGS frame
/// (which completes the server's handshake), reads the server's preface and
/// SETTINGS, then does nothing. Cheaper than an ``RPCClient`` per connection,
/// and only the server's memory is measured.
final class HandshakeOnlyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let ready: EventLoopPromise<Void>
    private var received: [UInt8] = []
    private var done = false

    init(ready: EventLoopPromise<Void>) { self.ready = ready }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: Preface.bytes.count + FrameHeader.size)
        buffer.writeBytes(Preface.bytes)
        buffer.writeMultipleIntegers(UInt32(0), FrameType.settings.rawValue, UInt8(0), UInt32(0))
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.done else { return }
        self.received.append(contentsOf: self.unwrapInboundIn(data).readableBytesView)
        let headerEnd = Preface.bytes.count + FrameHeader.size
        guard self.received.count >= headerEnd else { return }
        guard Array(self.received.prefix(Preface.bytes.count)) == Preface.bytes,
              let header = try? FrameHeader.parse(self.received[Preface.bytes.count..<headerEnd], maxPayload: 1 << 20),
              header.type == .settings
        else {
            self.finish(.failure(BenchError("the server did not answer with its preface and SETTINGS")))
            return
        }
        if self.received.count >= headerEnd + Int(header.length) {
            self.finish(.success(()))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(.failure(BenchError("the server closed an idle connection")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !self.done else { return }
        self.done = true
        self.received = []
        self.ready.completeWith(result)
    }
}
