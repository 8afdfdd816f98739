import NIOCore

/// The raw ceiling's client: keeps `inFlight` request frames outstanding (one
/// per stream id), sends the next on a stream as soon as its answer arrives,
/// and stops at `end`. Counts and times answers to requests sent after
/// `measureStart`.
final class RawLoadHandler: ChannelInboundHandler {
    typealias InboundIn = RawFrame
    typealias OutboundOut = ByteBuffer

    private let inFlight: Int
    private let payload: ByteBuffer
    private let measureStart: NIODeadline
    private let end: NIODeadline
    private let done: EventLoopPromise<Measurement>
    /// When the request outstanding on stream id `i + 1` was sent.
    private var sentAt: [NIODeadline]
    private var outstanding = 0
    private var latencies: [Int64] = []
    private var pending: ByteBuffer?
    private var finished = false

    init(inFlight: Int, payload: ByteBuffer, measureStart: NIODeadline, end: NIODeadline, done: EventLoopPromise<Measurement>) {
        self.inFlight = inFlight
        self.payload = payload
        self.measureStart = measureStart
        self.end = end
        self.done = done
        self.sentAt = Array(repeating: .now(), count: inFlight)
        self.latencies.reserveCapacity(1 << 20)
    }

    func channelActive(context: ChannelHandlerContext) {
        for slot in 0..<self.inFlight { self.send(slot: slot, context: context) }
        self.flush(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        let slot = Int(frame.streamID) - 1
        guard slot >= 0, slot < self.inFlight else { return }
        let now = NIODeadline.now()
        if self.sentAt[slot] >= self.measureStart {
            self.latencies.append((now - self.sentAt[slot]).nanoseconds)
        }
        self.outstanding -= 1
        if now < self.end { self.send(slot: slot, context: context) }
        if self.outstanding == 0 {
            let elapsed = Duration.nanoseconds((now - self.measureStart).nanoseconds)
            self.finish(.success(Measurement(count: self.latencies.count, elapsed: elapsed, latency: LatencySummary(nanoseconds: self.latencies))))
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.flush(context: context)
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.finish(.failure(BenchError("raw connection closed early")))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<Measurement, any Error>) {
        guard !self.finished else { return }
        self.finished = true
        self.done.completeWith(result)
    }

    private func send(slot: Int, context: ChannelHandlerContext) {
        var buffer = self.pending ?? context.channel.allocator.buffer(capacity: 4096)
        self.pending = nil
        buffer.writeRawMessageFrame(streamID: UInt32(slot + 1), payload: self.payload)
        self.pending = buffer
        self.sentAt[slot] = .now()
        self.outstanding += 1
    }

    private func flush(context: ChannelHandlerContext) {
        if let buffer = self.pending {
            self.pending = nil
            context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
        }
    }
}
