import ModelGateAPI
import ModelGateWire
import NIOCore

/// The client side of one connection, on its event loop: the mirror of
/// ``ServerConnectionHandler``.
///
/// It sends the preface and the client's SETTINGS, waits for the server's
/// preface and SETTINGS (which set the limits the client obeys: frame size,
/// concurrent streams, windows, header size), routes response frames to their
/// calls, enforces the client's own receive windows, enforces deadlines,
/// answers PING, and handles GO_AWAY (new calls fail `UNAVAILABLE`, streams the
/// server did not process fail `UNAVAILABLE`, the rest finish).
final class ClientConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct StreamRecord {
        var stream: ClientStream
        var recvCredit: Int
        var unreturned = 0
        var deadline: Scheduled<Void>?
    }

    private let limits: RPCLimits
    private let writer: ConnectionWriter<ClientStream>
    private let ready: EventLoopPromise<Void>
    private var streams: [UInt32: StreamRecord] = [:]
    private var lastOpenedID: UInt32 = 0
    private var flow: InboundFlowControl
    private var receivedSettings = false
    private var closed = false
    /// Why the server is going away, for the errors of calls that end with the connection.
    private var goAwayMessage: String?
    private var pings: [UInt64: EventLoopPromise<Void>] = [:]
    private var nextPing: UInt64 = 0
    private var context: ChannelHandlerContext?

    init(limits: RPCLimits, writer: ConnectionWriter<ClientStream>, ready: EventLoopPromise<Void>) {
        self.limits = limits
        self.writer = writer
        self.ready = ready
        // The client's concurrency is bounded by the server's limit, which it does not know yet;
        // its own limit sizes the batches in which it grants credit back.
        self.flow = InboundFlowControl(
            streamWindow: limits.initialStreamWindow, connectionWindow: limits.initialConnectionWindow,
            maxConcurrentStreams: limits.maxConcurrentStreams
        )
    }

    /// The batch size in which consumed response bytes are reported.
    var reportThreshold: Int { self.flow.streamReportThreshold }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        self.writer.setDrainHook {
            eventLoop.execute { loopBound.value.drain() }
        }
        if context.channel.isActive { self.start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    private var started = false

    private func start(context: ChannelHandlerContext) {
        guard !self.started else { return }
        self.started = true
        var settings = Settings()
        settings.maxFrameSize = self.limits.maxFrameSize
        settings.initialStreamWindow = self.limits.initialStreamWindow
        settings.initialConnectionWindow = self.limits.initialConnectionWindow
        let payload = settings.encoded()
        var buffer = context.channel.allocator.buffer(capacity: Preface.bytes.count + FrameHeader.size + payload.count)
        buffer.writeBytes(Preface.bytes)
        buffer.writeFrame(.settings, streamID: 0, payload: payload)
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        var message = self.goAwayMessage.map { "connection closed by the server: \($0)" } ?? "connection closed"
        if !self.receivedSettings, self.goAwayMessage == nil {
            // The likeliest cause: a TLS server closing a plaintext client (or the reverse).
            message = "connection closed before the server's preface (if the server serves TLS, connect with TLS)"
        }
        self.tearDown(RPCError(code: .unavailable, message: message))
        context.fireChannelInactive()
    }

    private func tearDown(_ error: RPCError) {
        guard !self.closed else { return }
        self.closed = true
        for (streamID, record) in self.streams {
            record.deadline?.cancel()
            self.writer.closeStream(streamID, error: error, notify: false)
            record.stream.inbound.fail(error)
        }
        self.streams.removeAll()
        for orphan in self.writer.fail(error) { orphan.inbound.fail(error) }
        self.ready.fail(error)
        for (_, ping) in self.pings { ping.fail(error) }
        self.pings.removeAll()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as ConnectionError:
            self.tearDown(RPCError(code: .unavailable, message: "protocol error from the server: \(error.message)"))
            context.close(promise: nil)
        case is ByteToMessageDecoderError:
            break
        default:
            self.tearDown(RPCError(code: .unavailable, message: "connection failed: \(error)"))
            context.close(promise: nil)
        }
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.closed else { return }
        do {
            try self.handle(self.unwrapInboundIn(data))
        } catch {
            self.tearDown(RPCError(code: .unavailable, message: "protocol error from the server: \(error.message)"))
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.drain()
        context.fireChannelReadComplete()
    }

    private func handle(_ frame: Frame) throws(ConnectionError) {
        let header = frame.header
        guard self.receivedSettings || header.type == .settings || header.type == .goAway else {
            throw .protocolViolation("expected SETTINGS as the server's first frame, got \(header.type)")
        }
        switch header.type {
        case .settings:
            let settings: Settings
            do {
                settings = try Settings(decoding: Array(frame.payload.readableBytesView))
            } catch {
                throw .protocolViolation("malformed SETTINGS: \(error.message)")
            }
            self.writer.updateLimits(Self.peerLimits(from: settings))
            if !self.receivedSettings {
                self.receivedSettings = true
                self.ready.succeed()
            }
        case .message:
            try self.onMessage(header, frame.payload)
        case .trailers:
            try self.onTrailers(header, frame.payload)
        case .cancel:
            try self.checkOpened(header)
            self.endStream(header.streamID, error: RPCError(code: .cancelled, message: "call cancelled by the server"), sendCancel: false)
        case .windowUpdate:
            var payload = frame.payload
            guard let increment = payload.readInteger(as: UInt32.self), increment > 0 else {
                throw .protocolViolation("WINDOW_UPDATE with a zero increment")
            }
            if header.streamID != 0 { try self.checkOpened(header) }
            self.writer.addCredit(streamID: header.streamID, increment: increment)
        case .ping:
            var payload = frame.payload
            if header.flags.contains(.ack) {
                if let id = payload.readInteger(as: UInt64.self) { self.pings.removeValue(forKey: id)?.succeed() }
            } else {
                self.writer.appendFrames(capacity: FrameHeader.size + 8, schedule: false) {
                    $0.writeFrameHeader(.ping, flags: .ack, streamID: 0, length: 8)
                    $0.writeBuffer(&payload)
                }
            }
        case .goAway:
            self.onGoAway(frame.payload)
        case .headers:
            throw .protocolViolation("HEADERS frame from the server on stream \(header.streamID)")
        default:
            throw .protocolViolation("unexpected frame type \(header.type)")
        }
    }

    /// The server's limits from its SETTINGS; fields left 0 take the defaults.
    static func peerLimits(from settings: Settings) -> ConnectionWriter<ClientStream>.PeerLimits {
        let defaults = RPCLimits()
        func value(_ field: UInt32, _ fallback: UInt32) -> Int { Int(field == 0 ? fallback : field) }
        return ConnectionWriter<ClientStream>.PeerLimits(
            maxFrameSize: value(settings.maxFrameSize, defaults.maxFrameSize),
            streamWindow: value(settings.initialStreamWindow, defaults.initialStreamWindow),
            connectionWindow: value(settings.initialConnectionWindow, defaults.initialConnectionWindow),
            maxConcurrentStreams: value(settings.maxConcurrentStreams, UInt32(defaults.maxConcurrentStreams)),
            maxHeaderSize: value(settings.maxHeaderSize, defaults.maxHeaderSize)
        )
    }

    private func checkOpened(_ header: FrameHeader) throws(ConnectionError) {
        guard header.streamID <= self.lastOpenedID, header.streamID % 2 == 1 else {
            throw .protocolViolation("\(header.type) frame on stream \(header.streamID), which was never opened")
        }
    }

    private func onMessage(_ header: FrameHeader, _ payload: ByteBuffer) throws(ConnectionError) {
        try self.checkOpened(header)
        let cost = InboundMessages.cost(of: payload.readableBytes)
        guard self.flow.receive(cost: cost) else {
            throw ConnectionError(.resourceExhausted, "flow control: message sent beyond the connection window")
        }
        guard var record = self.streams[header.streamID] else {
            self.returnConnectionCredit(cost)
            return
        }
        guard record.recvCredit > 0 else {
            throw ConnectionError(.resourceExhausted, "flow control: message sent beyond the window of stream \(header.streamID)")
        }
        record.recvCredit -= cost
        record.unreturned += cost
        self.streams[header.streamID] = record
        record.stream.inbound.deliver(Array(payload.readableBytesView))
    }

    private func onTrailers(_ header: FrameHeader, _ payload: ByteBuffer) throws(ConnectionError) {
        try self.checkOpened(header)
        guard let record = self.streams.removeValue(forKey: header.streamID) else { return }
        record.deadline?.cancel()
        let error: RPCError?
        do {
            let trailers = try Trailers(decoding: Array(payload.readableBytesView))
            error = trailers.code == .ok
                ? nil : RPCError(code: trailers.code, message: trailers.message, details: trailers.details)
        } catch let wireError {
            error = RPCError(code: .internal, message: "malformed trailers from the server: \(wireError.message)")
        }
        self.writer.closeStream(header.streamID, error: error ?? StreamFinishedByPeer(), notify: false)
        record.stream.inbound.finish(throwing: error)
        self.returnConnectionCredit(record.unreturned)
    }

    private func onGoAway(_ payload: ByteBuffer) {
        let goAway = (try? GoAway(decoding: Array(payload.readableBytesView))) ?? GoAway()
        let reason = goAway.message.isEmpty ? "\(goAway.code)" : goAway.message
        self.goAwayMessage = reason
        self.writer.refuseNewStreams(RPCError(code: .unavailable, message: "server is going away: \(reason)"))
        let refused = self.streams.keys.filter { $0 > goAway.lastStreamID }
        for streamID in refused {
            self.endStream(
                streamID, error: RPCError(code: .unavailable, message: "call not processed: server is going away (\(reason))"),
                sendCancel: false
            )
        }
        if !self.receivedSettings {
            // Refused before the handshake finished (connection limit, shutdown).
            self.ready.fail(RPCError(code: goAway.code == .ok ? .unavailable : goAway.code, message: "server refused the connection: \(reason)"))
        }
    }

    // MARK: Streams

    /// Ends a call locally: its consumer gets `error`; the server gets CANCEL if asked.
    private func endStream(_ streamID: UInt32, error: RPCError, sendCancel: Bool) {
        guard let record = self.streams.removeValue(forKey: streamID) else { return }
        record.deadline?.cancel()
        if sendCancel {
            self.writer.closeStream(streamID, error: error, notify: false) {
                $0.writeFrameHeader(.cancel, streamID: streamID, length: 0)
            }
        } else {
            self.writer.closeStream(streamID, error: error, notify: false)
        }
        record.stream.inbound.fail(error)
        self.returnConnectionCredit(record.unreturned)
    }

    private func opened(_ stream: ClientStream) {
        guard !self.closed, let context = self.context else {
            stream.inbound.fail(RPCError(code: .unavailable, message: "connection closed"))
            return
        }
        var record = StreamRecord(stream: stream, recvCredit: self.flow.streamWindow)
        if let deadline = stream.deadline {
            let streamID = stream.id
            let timeout = stream.timeout.map { "\($0)" } ?? "the timeout"
            record.deadline = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
                self.endStream(streamID, error: RPCError(code: .deadlineExceeded, message: "deadline of \(timeout) exceeded"), sendCancel: true)
                self.drain()
            }
        }
        self.streams[stream.id] = record
        self.lastOpenedID = stream.id
    }

    private func consumed(_ streamID: UInt32, bytes: Int) {
        guard var record = self.streams[streamID] else { return }
        record.unreturned -= bytes
        record.recvCredit += bytes
        self.streams[streamID] = record
        self.writer.appendFrames(capacity: FrameHeader.size + 4, schedule: false) {
            $0.writeWindowUpdate(streamID: streamID, increment: UInt32(clamping: bytes))
        }
        self.returnConnectionCredit(bytes)
    }

    private func forget(_ streamID: UInt32) {
        guard let record = self.streams.removeValue(forKey: streamID) else { return }
        record.deadline?.cancel()
        self.returnConnectionCredit(record.unreturned)
    }

    private func returnConnectionCredit(_ bytes: Int) {
        if let increment = self.flow.returnCredit(bytes) {
            self.writer.appendFrames(capacity: FrameHeader.size + 4, schedule: false) {
                $0.writeWindowUpdate(streamID: 0, increment: increment)
            }
        }
    }

    // MARK: Outbound

    /// Sends a PING; `promise` completes when the server's ACK arrives.
    func sendPing(_ promise: EventLoopPromise<Void>) {
        guard !self.closed else {
            promise.fail(RPCError(code: .unavailable, message: "connection closed"))
            return
        }
        self.nextPing += 1
        let id = self.nextPing
        self.pings[id] = promise
        self.writer.appendFrames(capacity: FrameHeader.size + 8, schedule: false) {
            $0.writeFrameHeader(.ping, streamID: 0, length: 8)
            $0.writeInteger(id)
        }
        self.drain()
    }

    /// Writes what async code and this handler appended, after processing the writer's events.
    func drain() {
        guard let context = self.context else { return }
        var wrote = false
        while true {
            let (buffer, events) = self.writer.takePending()
            // Write first: handling events can close the connection, which must
            // not overtake frames already taken (such as a call's trailers).
            if let buffer {
                context.write(self.wrapOutboundOut(buffer), promise: nil)
                wrote = true
            }
            for event in events {
                switch event {
                case .opened(_, let stream): self.opened(stream)
                case .consumed(let streamID, let bytes): self.consumed(streamID, bytes: bytes)
                case .closed(let streamID): self.forget(streamID)
                }
            }
            if buffer == nil && events.isEmpty { break }
        }
        if wrote { context.flush() }
    }

}
