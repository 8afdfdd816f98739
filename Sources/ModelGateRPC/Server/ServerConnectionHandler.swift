import Logging
import ModelGateAPI
import ModelGateWire
import NIOCore

/// The server side of one connection, on its event loop: the protocol state
/// machine after framing.
///
/// It enforces the stream rules (client ids odd and strictly increasing, no
/// frame on a stream never opened), the limits (concurrent streams, header
/// size, flow-control windows), the budgets (cancellations and control frames
/// per second), the handshake and idle timers and each call's deadline, and it
/// answers PING. Accepted calls go to the connection's task through `calls`;
/// each call's bytes go back through the shared ``ConnectionWriter``, which
/// this handler drains with one flush per batch.
///
/// A protocol error closes only this connection: GO_AWAY with the reason, then close.
///
/// Slow readers: while the channel is not writable this handler holds back
/// `read()`, so a peer that does not read what it asks for cannot make the
/// server buffer without bound.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// One open stream, as the event loop sees it.
    private struct StreamRecord {
        var call: ServerStream
        /// What the client may still send on this stream.
        var recvCredit: Int
        /// Bytes received on this stream not yet returned to the connection window.
        var unreturned = 0
        /// The client sent END_STREAM.
        var halfClosed = false
        var deadline: Scheduled<Void>?
    }

    /// Can transition handshaking → active → closing, or handshaking → closing.
    private enum State {
        /// Waiting for the client's preface and first frame.
        case handshaking
        case active
        /// GO_AWAY for an error sent (or the channel went away); frames are ignored.
        case closing
    }

    private let limits: RPCLimits
    private let handlers: [String: RPCHandler]
    let writer: ConnectionWriter<Never>
    private let calls: AsyncStream<AcceptedCall>.Continuation
    private let logger: Logger
    private let peer: String

    private var state = State.handshaking
    private var streams: [UInt32: StreamRecord] = [:]
    private var lastStreamID: UInt32 = 0
    private var flow: InboundFlowControl
    private var cancelBudget: RateBudget?
    private var controlBudget: RateBudget?
    private var handshakeTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    /// Set once a graceful GO_AWAY went out: streams above it are refused.
    private var goAwayLastStreamID: UInt32?
    private var context: ChannelHandlerContext?
    private var started = false

    /// How many streams are open now (for tests and metrics).
    var openStreamCount: Int { self.streams.count }

    init(
        limits: RPCLimits, handlers: [String: RPCHandler], allocator: ByteBufferAllocator,
        calls: AsyncStream<AcceptedCall>.Continuation, peer: String, logger: Logger
    ) {
        self.limits = limits
        self.handlers = handlers
        self.calls = calls
        self.peer = peer
        self.logger = logger
        self.flow = InboundFlowControl(
            streamWindow: limits.initialStreamWindow, connectionWindow: limits.initialConnectionWindow,
            maxConcurrentStreams: limits.maxConcurrentStreams
        )
        // Until the client's SETTINGS say otherwise, it is assumed to accept what the server does.
        self.writer = ConnectionWriter(allocator: allocator, limits: Self.peerLimits(from: Settings(), defaults: limits))
    }

    /// The client's limits from its SETTINGS; fields left 0 take the defaults.
    static func peerLimits(from settings: Settings, defaults: RPCLimits) -> ConnectionWriter<Never>.PeerLimits {
        func value(_ field: UInt32, _ fallback: UInt32) -> Int { Int(field == 0 ? fallback : field) }
        return ConnectionWriter<Never>.PeerLimits(
            maxFrameSize: value(settings.maxFrameSize, defaults.maxFrameSize),
            streamWindow: value(settings.initialStreamWindow, defaults.initialStreamWindow),
            connectionWindow: value(settings.initialConnectionWindow, defaults.initialConnectionWindow),
            maxConcurrentStreams: .max,
            maxHeaderSize: .max
        )
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let now = context.eventLoop.now
        self.cancelBudget = RateBudget(perSecond: self.limits.maxCancellationsPerSecond, now: now)
        self.controlBudget = RateBudget(perSecond: self.limits.maxControlFramesPerSecond, now: now)
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

    /// Sends the preface and SETTINGS and starts the handshake timer.
    private func start(context: ChannelHandlerContext) {
        guard !self.started else { return }
        self.started = true
        var settings = Settings()
        settings.maxFrameSize = self.limits.maxFrameSize
        settings.maxConcurrentStreams = UInt32(clamping: self.limits.maxConcurrentStreams)
        settings.initialStreamWindow = self.limits.initialStreamWindow
        settings.initialConnectionWindow = self.limits.initialConnectionWindow
        settings.maxHeaderSize = self.limits.maxHeaderSize
        settings.idleTimeoutSeconds = UInt32(clamping: self.limits.idleTimeout.components.seconds)
        let payload = settings.encoded()
        var buffer = context.channel.allocator.buffer(capacity: Preface.bytes.count + FrameHeader.size + payload.count)
        buffer.writeBytes(Preface.bytes)
        buffer.writeFrame(.settings, streamID: 0, payload: payload)
        context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)

        self.handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(self.limits.handshakeTimeout)) {
            guard case .handshaking = self.state else { return }
            self.failConnection(ConnectionError(
                .deadlineExceeded, "no preface and first frame within \(self.limits.handshakeTimeout)"
            ))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.state = .closing
        self.tearDown(reason: RPCError(code: .unavailable, message: "connection closed"))
        context.fireChannelInactive()
    }

    /// Cancels every call and stops the timers; the connection is gone or going.
    private func tearDown(reason: RPCError) {
        self.handshakeTimer?.cancel()
        self.idleTimer?.cancel()
        for (streamID, record) in self.streams {
            record.deadline?.cancel()
            self.writer.closeStream(streamID, error: reason, notify: false)
            record.call.inbound.fail(reason)
            record.call.signal.signal(.cancelled)
        }
        self.streams.removeAll()
        self.writer.fail(reason)
        self.calls.finish()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard self.isOpen else { return }
        let frame = self.unwrapInboundIn(data)
        if case .handshaking = self.state {
            self.state = .active
            self.handshakeTimer?.cancel()
            self.handshakeTimer = nil
            self.streamsChanged()
        }
        do {
            try self.handle(frame)
        } catch {
            self.failConnection(error)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.drain()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let error as ConnectionError:
            self.failConnection(error)
        case is ByteToMessageDecoderError:
            // Bytes after a decoding error; the connection is already closing.
            break
        default:
            self.logger.debug("Connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        }
    }

    private var isOpen: Bool {
        if case .closing = self.state { return false }
        return true
    }

    private func handle(_ frame: Frame) throws(ConnectionError) {
        let header = frame.header
        switch header.type {
        case .headers:
            try self.onHeaders(header, frame.payload)
        case .message:
            try self.onMessage(header, frame.payload)
        case .trailers:
            try self.onHalfClose(header)
        case .cancel:
            try self.onCancel(header)
        case .windowUpdate:
            try self.onWindowUpdate(header, frame.payload)
        case .ping:
            try self.spendControlBudget()
            guard !header.flags.contains(.ack) else { return }
            var payload = frame.payload
            self.writer.appendFrames(capacity: FrameHeader.size + 8, schedule: false) {
                $0.writeFrameHeader(.ping, flags: .ack, streamID: 0, length: 8)
                $0.writeBuffer(&payload)
            }
        case .settings:
            try self.spendControlBudget()
            let settings: Settings
            do {
                settings = try Settings(decoding: Array(frame.payload.readableBytesView))
            } catch {
                throw .protocolViolation("malformed SETTINGS: \(error.message)")
            }
            self.writer.updateLimits(Self.peerLimits(from: settings, defaults: self.limits))
        case .goAway:
            try self.spendControlBudget()
            self.logger.debug("Client sent GO_AWAY")
        default:
            // The decoder refuses unknown types; kept for safety.
            throw .protocolViolation("unexpected frame type \(header.type)")
        }
    }

    private func onHeaders(_ header: FrameHeader, _ payload: ByteBuffer) throws(ConnectionError) {
        let streamID = header.streamID
        guard streamID % 2 == 1 else {
            throw .protocolViolation("stream id \(streamID) is even; client streams use odd ids")
        }
        guard streamID > self.lastStreamID else {
            if self.streams[streamID] != nil {
                throw .protocolViolation("HEADERS on stream \(streamID), which is already open")
            }
            throw .protocolViolation("stream id \(streamID) is not greater than the last stream id \(self.lastStreamID)")
        }
        self.lastStreamID = streamID

        if let lastAccepted = self.goAwayLastStreamID, streamID > lastAccepted {
            self.refuse(streamID, code: .unavailable, message: "server is shutting down; stream \(streamID) was not processed")
            return
        }
        guard payload.readableBytes <= Int(self.limits.maxHeaderSize) else {
            self.refuse(
                streamID, code: .resourceExhausted,
                message: "call headers of \(payload.readableBytes) bytes exceed the limit of \(self.limits.maxHeaderSize) bytes",
                details: ["limit": "\(self.limits.maxHeaderSize)", "actual": "\(payload.readableBytes)"]
            )
            return
        }
        guard self.streams.count < self.limits.maxConcurrentStreams else {
            self.refuse(
                streamID, code: .resourceExhausted,
                message: "too many concurrent streams (limit \(self.limits.maxConcurrentStreams))",
                details: ["limit": "\(self.limits.maxConcurrentStreams)"]
            )
            return
        }
        let callHeaders: CallHeaders
        do {
            callHeaders = try CallHeaders(decoding: Array(payload.readableBytesView))
        } catch {
            self.refuse(streamID, code: .invalidArgument, message: "malformed call headers: \(error.message)")
            return
        }
        guard let handler = self.handlers[callHeaders.method] else {
            self.refuse(
                streamID, code: .unimplemented, message: "method '\(callHeaders.method)' is not implemented",
                requestID: callHeaders.requestID
            )
            return
        }

        let requestID = callHeaders.requestID.isEmpty ? Self.makeRequestID() : callHeaders.requestID
        let inbound = InboundMessages(streamID: streamID, reportThreshold: self.flow.streamReportThreshold, reporter: self.writer)
        let call = ServerStream(
            id: streamID, inbound: inbound, writer: self.writer,
            singleResponse: handler.kind == .unary || handler.kind == .clientStreaming
        )
        self.writer.registerPeerStream(streamID)
        var record = StreamRecord(call: call, recvCredit: self.flow.streamWindow)
        if header.flags.contains(.endStream) {
            record.halfClosed = true
            inbound.finish()
        }

        var deadline: ContinuousClock.Instant?
        if callHeaders.timeoutMicros > 0, let context = self.context {
            // Clamp absurd timeouts (about 30 years) so the arithmetic cannot overflow.
            let micros = Int64(clamping: min(callHeaders.timeoutMicros, 1 << 50))
            deadline = ContinuousClock.now.advanced(by: .microseconds(micros))
            record.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: .microseconds(micros)) {
                self.deadlineExpired(streamID, micros: micros)
            }
        }
        self.streams[streamID] = record
        self.streamsChanged()

        var logger = self.logger
        logger[metadataKey: "rpc.method"] = "\(callHeaders.method)"
        logger[metadataKey: "request.id"] = "\(requestID)"
        logger.debug("Call started")
        let context = ServerCallContext(
            method: callHeaders.method, metadata: callHeaders.metadata, requestID: requestID,
            deadline: deadline, peer: self.peer, logger: logger
        )
        if case .terminated = self.calls.yield(AcceptedCall(handler: handler, stream: call, context: context)) {
            self.closeStream(streamID, error: RPCError(code: .unavailable, message: "connection is closing"), trailers: {
                var trailers = Trailers()
                trailers.code = .unavailable
                trailers.message = "connection is closing"
                return trailers
            }())
        }
    }

    private func onMessage(_ header: FrameHeader, _ payload: ByteBuffer) throws(ConnectionError) {
        let streamID = header.streamID
        guard streamID <= self.lastStreamID else {
            throw .protocolViolation("MESSAGE frame on stream \(streamID), which was never opened")
        }
        let cost = InboundMessages.cost(of: payload.readableBytes)
        guard self.flow.receive(cost: cost) else {
            throw ConnectionError(.resourceExhausted, "flow control: message sent beyond the connection window of \(self.flow.connectionWindow) bytes")
        }
        guard var record = self.streams[streamID] else {
            // A stream that already ended (cancelled, past its deadline, finished): drop, give the credit back.
            self.returnConnectionCredit(cost)
            return
        }
        guard !record.halfClosed else {
            throw .protocolViolation("MESSAGE frame on stream \(streamID) after the client ended its request stream")
        }
        guard record.recvCredit > 0 else {
            throw ConnectionError(.resourceExhausted, "flow control: message sent beyond the stream window of \(self.flow.streamWindow) bytes on stream \(streamID)")
        }
        record.recvCredit -= cost
        record.unreturned += cost
        if header.flags.contains(.endStream) { record.halfClosed = true }
        self.streams[streamID] = record
        record.call.inbound.deliver(Array(payload.readableBytesView))
        if record.halfClosed { record.call.inbound.finish() }
    }

    /// An empty TRAILERS frame from the client ends its request stream.
    private func onHalfClose(_ header: FrameHeader) throws(ConnectionError) {
        let streamID = header.streamID
        guard streamID <= self.lastStreamID else {
            throw .protocolViolation("TRAILERS frame on stream \(streamID), which was never opened")
        }
        guard var record = self.streams[streamID], !record.halfClosed else { return }
        record.halfClosed = true
        self.streams[streamID] = record
        record.call.inbound.finish()
    }

    private func onCancel(_ header: FrameHeader) throws(ConnectionError) {
        let streamID = header.streamID
        guard streamID <= self.lastStreamID else {
            throw .protocolViolation("CANCEL frame on stream \(streamID), which was never opened")
        }
        let now = self.context?.eventLoop.now ?? .now()
        guard self.cancelBudget?.spend(now: now) ?? true else {
            throw ConnectionError(
                .resourceExhausted, "too many cancelled streams (limit \(self.limits.maxCancellationsPerSecond) per second)"
            )
        }
        self.closeStream(streamID, error: RPCError(code: .cancelled, message: "call cancelled by the client"), trailers: nil)
    }

    private func onWindowUpdate(_ header: FrameHeader, _ payload: ByteBuffer) throws(ConnectionError) {
        var payload = payload
        guard let increment = payload.readInteger(as: UInt32.self), increment > 0 else {
            throw .protocolViolation("WINDOW_UPDATE with a zero increment")
        }
        let streamID = header.streamID
        if streamID == 0 {
            try self.spendControlBudget()
        } else {
            guard streamID <= self.lastStreamID else {
                throw .protocolViolation("WINDOW_UPDATE frame on stream \(streamID), which was never opened")
            }
            // Updates for ended streams are legal (they cross the trailers) but useless: budget them.
            if self.streams[streamID] == nil { try self.spendControlBudget() }
        }
        self.writer.addCredit(streamID: streamID, increment: increment)
    }

    private func spendControlBudget() throws(ConnectionError) {
        let now = self.context?.eventLoop.now ?? .now()
        guard self.controlBudget?.spend(now: now) ?? true else {
            throw ConnectionError(
                .resourceExhausted, "too many control frames (limit \(self.limits.maxControlFramesPerSecond) per second)"
            )
        }
    }

    // MARK: Streams

    /// Answers a stream that will not run with its trailers at once.
    private func refuse(
        _ streamID: UInt32, code: StatusCode, message: String, details: [String: String] = [:], requestID: String = ""
    ) {
        var trailers = Trailers()
        trailers.code = code
        trailers.message = message
        trailers.details = details
        trailers.requestID = requestID
        let payload = trailers.encoded()
        self.logger.debug("Call refused", metadata: ["stream.id": "\(streamID)", "rpc.code": "\(code)", "rpc.message": "\(message)"])
        self.writer.appendFrames(capacity: FrameHeader.size + payload.count, schedule: false) {
            $0.writeFrame(.trailers, streamID: streamID, payload: payload)
        }
    }

    private func deadlineExpired(_ streamID: UInt32, micros: Int64) {
        guard self.streams[streamID] != nil else { return }
        let message = "deadline of \(Duration.microseconds(micros)) exceeded"
        var trailers = Trailers()
        trailers.code = .deadlineExceeded
        trailers.message = message
        trailers.requestID = ""
        self.closeStream(streamID, error: RPCError(code: .deadlineExceeded, message: message), trailers: trailers)
        self.drain()
    }

    /// Ends a stream from the event loop: optional trailers, handler cancelled, credit returned.
    private func closeStream(_ streamID: UInt32, error: RPCError, trailers: Trailers?) {
        guard let record = self.streams.removeValue(forKey: streamID) else { return }
        record.deadline?.cancel()
        if let trailers {
            let payload = trailers.encoded()
            self.writer.closeStream(
                streamID, error: error, notify: false,
                frame: { $0.writeFrame(.trailers, streamID: streamID, payload: payload) },
                frameCapacity: FrameHeader.size + payload.count
            )
        } else {
            self.writer.closeStream(streamID, error: error, notify: false)
        }
        record.call.inbound.fail(error)
        record.call.signal.signal(.cancelled)
        self.returnConnectionCredit(record.unreturned)
        self.streamsChanged()
    }

    /// Forgets a stream whose handler sent its trailers.
    private func forget(_ streamID: UInt32) {
        guard let record = self.streams.removeValue(forKey: streamID) else { return }
        record.deadline?.cancel()
        // Drop anything the handler left unread.
        record.call.inbound.fail(RPCError(code: .cancelled, message: "call has ended"))
        self.returnConnectionCredit(record.unreturned)
        self.streamsChanged()
    }

    private func returnConnectionCredit(_ bytes: Int) {
        if let increment = self.flow.returnCredit(bytes) {
            self.writer.appendFrames(capacity: FrameHeader.size + 4, schedule: false) {
                $0.writeWindowUpdate(streamID: 0, increment: increment)
            }
        }
    }

    private func consumed(_ streamID: UInt32, bytes: Int) {
        guard var record = self.streams[streamID] else { return }
        record.unreturned -= bytes
        if !record.halfClosed {
            record.recvCredit += bytes
            self.writer.appendFrames(capacity: FrameHeader.size + 4, schedule: false) {
                $0.writeWindowUpdate(streamID: streamID, increment: UInt32(clamping: bytes))
            }
        }
        self.streams[streamID] = record
        self.returnConnectionCredit(bytes)
    }

    /// Starts the idle timer when the last stream ends, and closes a draining connection.
    private func streamsChanged() {
        guard case .active = self.state, let context = self.context else { return }
        if !self.streams.isEmpty {
            self.idleTimer?.cancel()
            self.idleTimer = nil
            return
        }
        if self.goAwayLastStreamID != nil {
            self.closeGracefully()
            return
        }
        guard self.idleTimer == nil else { return }
        let timeout = self.limits.idleTimeout
        self.idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.idleTimer = nil
            guard case .active = self.state, self.streams.isEmpty else { return }
            self.logger.debug("Closing idle connection")
            self.sendGoAway(code: .ok, message: "idle timeout of \(timeout) reached")
            self.closeGracefully()
        }
    }

    // MARK: Outbound

    /// Writes what async code and this handler appended, processing the
    /// writer's events first; one flush for the lot.
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
                case .consumed(let streamID, let bytes): self.consumed(streamID, bytes: bytes)
                case .closed(let streamID): self.forget(streamID)
                }
            }
            if buffer == nil && events.isEmpty { break }
        }
        if wrote { context.flush() }
    }


    private func sendGoAway(code: StatusCode, message: String) {
        var goAway = GoAway()
        goAway.lastStreamID = self.goAwayLastStreamID ?? self.lastStreamID
        goAway.code = code
        goAway.message = message
        let payload = goAway.encoded()
        self.writer.appendFrames(capacity: FrameHeader.size + payload.count, schedule: false) {
            $0.writeFrame(.goAway, streamID: 0, payload: payload)
        }
    }

    /// Starts a graceful shutdown: GO_AWAY naming the last stream that will be
    /// processed; in-flight calls finish, later streams are refused, and the
    /// connection closes when the last call ends.
    func beginGracefulShutdown() {
        guard self.isOpen, self.goAwayLastStreamID == nil else { return }
        self.goAwayLastStreamID = self.lastStreamID
        self.sendGoAway(code: .ok, message: "server is shutting down")
        if case .handshaking = self.state { self.state = .active }
        self.handshakeTimer?.cancel()
        self.drain()
        self.streamsChanged()
    }

    /// Flushes what is pending, then closes.
    private func closeGracefully() {
        guard let context = self.context, self.isOpen else { return }
        self.state = .closing
        self.idleTimer?.cancel()
        self.drain()
        self.writeLastAndClose(context: context, context.channel.allocator.buffer(capacity: 0))
    }

    /// Sends GO_AWAY with the error and closes this connection only.
    func failConnection(_ error: any Error) {
        guard self.isOpen, let context = self.context else { return }
        let connectionError = error as? ConnectionError ?? ConnectionError(.internal, "internal error")
        self.logger.info("Closing connection after protocol error", metadata: [
            "rpc.code": "\(connectionError.code)", "error": "\(connectionError.message)",
        ])
        self.sendGoAway(code: connectionError.code, message: connectionError.message)
        self.state = .closing
        self.drain()
        self.tearDown(reason: RPCError(code: .unavailable, message: "connection closed: \(connectionError.message)"))
        self.writeLastAndClose(context: context, context.channel.allocator.buffer(capacity: 0))
    }

    private func writeLastAndClose(context: ChannelHandlerContext, _ buffer: ByteBuffer) {
        // Close once everything before is written; a peer that does not read gets one second.
        let closer = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(1)) {
            context.close(promise: nil)
        }
        context.writeAndFlush(self.wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            closer.cancel()
            context.close(promise: nil)
        }
    }

    private static func makeRequestID() -> String {
        let value = UInt64.random(in: .min ... .max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
