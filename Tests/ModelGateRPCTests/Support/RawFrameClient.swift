import ModelGateAPI
import ModelGateWire
import NIOCore
import NIOPosix
import Synchronization

/// A frame as the raw client reads it.
struct RawFrame: Sendable, CustomStringConvertible {
    var type: FrameType
    var flags: FrameFlags
    var streamID: UInt32
    var payload: [UInt8]

    var description: String { "\(self.type) stream \(self.streamID) flags \(self.flags.rawValue) (\(self.payload.count) bytes)" }

    func trailers() throws -> Trailers { try Trailers(decoding: self.payload) }
    func goAway() throws -> GoAway { try GoAway(decoding: self.payload) }
}

struct RawClientTimeout: Error, CustomStringConvertible {
    var description: String { "timed out waiting for the server" }
}

/// A client over a real socket that sends arbitrary bytes and reads frames,
/// to test how the server treats peers that break the protocol.
final class RawFrameClient: Sendable {
    private final class Sink: Sendable {
        struct State {
            var bytes: [UInt8] = []
            var offset = 0
            var eof = false
        }

        let state = Mutex(State())
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let sink: Sink
        init(sink: Sink) { self.sink = sink }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = self.unwrapInboundIn(data)
            self.sink.state.withLock { $0.bytes.append(contentsOf: buffer.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.sink.state.withLock { $0.eof = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            self.sink.state.withLock { $0.eof = true }
            context.close(promise: nil)
        }
    }

    let channel: any Channel
    private let sink: Sink

    private init(channel: any Channel, sink: Sink) {
        self.channel = channel
        self.sink = sink
    }

    static func connect(port: Int) async throws -> RawFrameClient {
        let sink = Sink()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(sink: sink))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawFrameClient(channel: channel, sink: sink)
    }

    // MARK: Sending

    func send(_ bytes: [UInt8]) async throws {
        try await self.channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    static func frameBytes(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, payload: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = []
        FrameHeader(length: UInt32(payload.count), type: type, flags: flags, streamID: streamID).write(to: &bytes)
        return bytes + payload
    }

    func sendFrame(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, payload: [UInt8] = []) async throws {
        try await self.send(Self.frameBytes(type, flags: flags, streamID: streamID, payload: payload))
    }

    /// HEADERS for `method` on `streamID`.
    func sendHeaders(streamID: UInt32, method: String, endStream: Bool = false, timeoutMicros: UInt64 = 0) async throws {
        var headers = CallHeaders()
        headers.method = method
        headers.timeoutMicros = timeoutMicros
        try await self.sendFrame(.headers, flags: endStream ? .endStream : [], streamID: streamID, payload: headers.encoded())
    }

    /// Sends the preface and reads the server's preface and SETTINGS.
    func handshake() async throws -> Settings {
        try await self.send(Preface.bytes)
        return try await self.readServerHandshake()
    }

    func readServerHandshake() async throws -> Settings {
        guard let preface = try await self.readBytes(Preface.bytes.count), preface == Preface.bytes else {
            throw RPCError(code: .internal, message: "no server preface")
        }
        guard let frame = try await self.readFrame(), frame.type == .settings else {
            throw RPCError(code: .internal, message: "no SETTINGS from the server")
        }
        return try Settings(decoding: frame.payload)
    }

    // MARK: Reading

    /// The next frame, or `nil` once the server closed the connection.
    func readFrame(timeout: Duration = .seconds(5)) async throws -> RawFrame? {
        guard let header = try await self.readBytes(FrameHeader.size, timeout: timeout) else { return nil }
        let parsed = try FrameHeader.parse(header, maxPayload: .max)
        guard let payload = try await self.readBytes(Int(parsed.length), timeout: timeout) else { return nil }
        return RawFrame(type: parsed.type, flags: parsed.flags, streamID: parsed.streamID, payload: payload)
    }

    /// Reads frames until one matches, skipping others; `nil` at EOF.
    func readFrame(timeout: Duration = .seconds(5), where predicate: (RawFrame) -> Bool) async throws -> RawFrame? {
        while let frame = try await self.readFrame(timeout: timeout) {
            if predicate(frame) { return frame }
        }
        return nil
    }

    /// The GO_AWAY the server sends before closing, skipping other frames.
    func readGoAway(timeout: Duration = .seconds(5)) async throws -> GoAway? {
        try await self.readFrame(timeout: timeout) { $0.type == .goAway }.map { try $0.goAway() }
    }

    /// The trailers of `streamID`, skipping other frames.
    func readTrailers(streamID: UInt32, timeout: Duration = .seconds(5)) async throws -> Trailers? {
        try await self.readFrame(timeout: timeout) { $0.type == .trailers && $0.streamID == streamID }.map { try $0.trailers() }
    }

    /// Whether the server closed the connection (EOF) within `timeout`, discarding any bytes.
    func waitForClose(timeout: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.sink.state.withLock({ $0.eof }) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    func readBytes(_ count: Int, timeout: Duration = .seconds(5)) async throws -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result: [UInt8]?? = self.sink.state.withLock { state in
                if state.bytes.count - state.offset >= count {
                    defer {
                        state.offset += count
                        if state.offset > 1 << 16 {
                            state.bytes.removeFirst(state.offset)
                            state.offset = 0
                        }
                    }
                    return .some(Array(state.bytes[state.offset..<state.offset + count]))
                }
                return state.eof ? .some(nil) : nil
            }
            if let result { return result }
            guard ContinuousClock.now < deadline else { throw RawClientTimeout() }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    func close() async {
        try? await self.channel.close()
    }
}
