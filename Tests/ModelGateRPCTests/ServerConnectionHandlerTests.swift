import Logging
import ModelGateAPI
@testable import ModelGateRPC
import ModelGateWire
import NIOCore
import NIOEmbedded
import Testing

/// The server's connection handler on an `EmbeddedChannel`: no sockets, manual time.
@Suite("ServerConnectionHandler")
struct ServerConnectionHandlerTests {
    /// A server connection on an embedded channel, with helpers to speak frames.
    struct Connection {
        let channel: EmbeddedChannel
        let calls: AsyncStream<AcceptedCall>
        private var outbound: [UInt8] = []

        init(limits: RPCLimits) throws {
            self.channel = EmbeddedChannel()
            let (calls, continuation) = AsyncStream.makeStream(of: AcceptedCall.self)
            self.calls = calls
            var router = RPCRouter()
            router.unary(TestMethod.unary) { (request: TestMessage, _) in request }
            let handler = ServerConnectionHandler(
                limits: limits, handlers: router.handlers, allocator: self.channel.allocator,
                calls: continuation, peer: "embedded", logger: makeTestLogger()
            )
            try self.channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxPayload: limits.maxFrameSize)))
            try self.channel.pipeline.syncOperations.addHandler(handler)
            try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        func send(_ bytes: [UInt8]) throws {
            try self.channel.writeInbound(ByteBuffer(bytes: bytes))
        }

        func sendFrame(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, payload: [UInt8] = []) throws {
            try self.send(RawFrameClient.frameBytes(type, flags: flags, streamID: streamID, payload: payload))
        }

        func openCall(streamID: UInt32) throws {
            var headers = CallHeaders()
            headers.method = TestMethod.unary
            try self.sendFrame(.headers, streamID: streamID, payload: headers.encoded())
        }

        func advanceTime(by amount: TimeAmount) {
            self.channel.embeddedEventLoop.advanceTime(by: amount)
        }

        /// Every frame written since the last call; the server preface is skipped.
        mutating func readFrames() throws -> [RawFrame] {
            self.channel.embeddedEventLoop.run()
            while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
                self.outbound += buffer.readableBytesView
            }
            if self.outbound.starts(with: Preface.bytes) { self.outbound.removeFirst(Preface.bytes.count) }
            var frames: [RawFrame] = []
            while self.outbound.count >= FrameHeader.size {
                let header = try FrameHeader.parse(self.outbound.prefix(FrameHeader.size), maxPayload: .max)
                guard self.outbound.count >= FrameHeader.size + Int(header.length) else { break }
                let payload = Array(self.outbound[FrameHeader.size..<FrameHeader.size + Int(header.length)])
                self.outbound.removeFirst(FrameHeader.size + Int(header.length))
                frames.append(RawFrame(type: header.type, flags: header.flags, streamID: header.streamID, payload: payload))
            }
            return frames
        }
    }

    private func limits(_ change: (inout RPCLimits) -> Void = { _ in }) -> RPCLimits {
        var limits = RPCLimits()
        change(&limits)
        return limits
    }

    @Test func serverSendsPrefaceAndItsSettingsFirst() throws {
        var connection = try Connection(limits: self.limits { $0.maxConcurrentStreams = 7 })
        let frames = try connection.readFrames()
        let settings = try Settings(decoding: try #require(frames.first { $0.type == .settings }).payload)
        #expect(settings.maxConcurrentStreams == 7)
        #expect(settings.maxFrameSize == 4 * 1024 * 1024)
        #expect(settings.idleTimeoutSeconds == 300)
    }

    @Test func handshakeTimerClosesASilentConnection() throws {
        var connection = try Connection(limits: self.limits { $0.handshakeTimeout = .seconds(10) })
        _ = try connection.readFrames()
        // Given a peer that sent only part of its preface
        try connection.send(Array(Preface.bytes.prefix(4)))
        connection.advanceTime(by: .seconds(9))
        #expect(try connection.readFrames().isEmpty)
        #expect(connection.channel.isActive)
        // When the handshake timeout passes
        connection.advanceTime(by: .seconds(1))
        // Then it gets GO_AWAY and the connection closes
        let goAway = try #require(try connection.readFrames().first { $0.type == .goAway }).goAway()
        #expect(goAway.code == .deadlineExceeded)
        #expect(!connection.channel.isActive)
    }

    @Test func idleTimerClosesAConnectionWithoutStreams() throws {
        var connection = try Connection(limits: self.limits { $0.idleTimeout = .seconds(60) })
        try connection.send(Preface.bytes)
        try connection.sendFrame(.settings, streamID: 0, payload: Settings().encoded())
        _ = try connection.readFrames()
        connection.advanceTime(by: .seconds(59))
        #expect(connection.channel.isActive)
        connection.advanceTime(by: .seconds(1))
        let goAway = try #require(try connection.readFrames().first { $0.type == .goAway }).goAway()
        #expect(goAway.code == .ok)
        #expect(goAway.message.contains("idle"))
        #expect(!connection.channel.isActive)
    }

    @Test func idleTimerDoesNotFireWhileAStreamIsOpen() throws {
        var connection = try Connection(limits: self.limits { $0.idleTimeout = .seconds(60) })
        try connection.send(Preface.bytes)
        try connection.openCall(streamID: 1)
        connection.advanceTime(by: .seconds(600))
        #expect(try connection.readFrames().allSatisfy { $0.type != .goAway })
        #expect(connection.channel.isActive)
        // Cancelling the only stream starts the timer again.
        try connection.sendFrame(.cancel, streamID: 1)
        connection.advanceTime(by: .seconds(60))
        #expect(!connection.channel.isActive)
    }

    @Test func pingIsAnsweredWithAckAndTheSamePayload() throws {
        var connection = try Connection(limits: self.limits())
        try connection.send(Preface.bytes)
        try connection.sendFrame(.ping, streamID: 0, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        let ack = try #require(try connection.readFrames().first { $0.type == .ping })
        #expect(ack.flags.contains(.ack))
        #expect(ack.payload == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func cancellationBudgetRefillsOverTime() throws {
        var connection = try Connection(limits: self.limits { $0.maxCancellationsPerSecond = 5 })
        try connection.send(Preface.bytes)
        var streamID: UInt32 = 1
        func openAndCancel(_ count: Int) throws {
            for _ in 0..<count {
                try connection.openCall(streamID: streamID)
                try connection.sendFrame(.cancel, streamID: streamID)
                streamID += 2
            }
        }
        // Five per second are allowed, again after a second has passed
        try openAndCancel(5)
        connection.advanceTime(by: .seconds(1))
        try openAndCancel(5)
        #expect(try connection.readFrames().allSatisfy { $0.type != .goAway })
        // but a sixth within the second closes the connection
        try openAndCancel(1)
        let goAway = try #require(try connection.readFrames().first { $0.type == .goAway }).goAway()
        #expect(goAway.code == .resourceExhausted)
        #expect(goAway.lastStreamID == streamID - 2)
        #expect(!connection.channel.isActive)
    }

    @Test func messageBeyondTheStreamWindowIsAFlowControlViolation() throws {
        var connection = try Connection(limits: self.limits { $0.initialStreamWindow = 100 })
        try connection.send(Preface.bytes)
        try connection.openCall(streamID: 1)
        // 150 bytes with 100 of credit is allowed (credit may go negative once)...
        try connection.sendFrame(.message, streamID: 1, payload: [UInt8](repeating: 1, count: 150))
        #expect(try connection.readFrames().allSatisfy { $0.type != .goAway })
        // ...but nothing more until credit is granted back.
        try connection.sendFrame(.message, streamID: 1, payload: [1])
        let goAway = try #require(try connection.readFrames().first { $0.type == .goAway }).goAway()
        #expect(goAway.code == .resourceExhausted)
        #expect(goAway.message.contains("stream window"))
    }

    @Test func gracefulShutdownRefusesStreamsAboveTheLastOne() throws {
        var connection = try Connection(limits: self.limits())
        try connection.send(Preface.bytes)
        try connection.openCall(streamID: 1)
        let handler = try connection.channel.pipeline.syncOperations.handler(type: ServerConnectionHandler.self)
        handler.beginGracefulShutdown()
        let goAway = try #require(try connection.readFrames().first { $0.type == .goAway }).goAway()
        #expect(goAway.code == .ok)
        #expect(goAway.lastStreamID == 1)
        try connection.openCall(streamID: 3)
        let refused = try #require(try connection.readFrames().first { $0.type == .trailers && $0.streamID == 3 }).trailers()
        #expect(refused.code == .unavailable)
        #expect(connection.channel.isActive)
        // The connection closes when stream 1 ends.
        try connection.sendFrame(.cancel, streamID: 1)
        connection.channel.embeddedEventLoop.run()
        #expect(!connection.channel.isActive)
    }
}
