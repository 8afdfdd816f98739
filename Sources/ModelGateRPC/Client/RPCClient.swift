import ModelGateAPI
public import ModelGateTLS
public import ModelGateWire
public import NIOCore
import NIOPosix
import Synchronization

/// How an ``RPCClient`` connects.
public struct RPCClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The client's own limits: largest response frame it accepts and its
    /// receive windows (sent to the server in SETTINGS).
    public var limits = RPCLimits()
    public var connectTimeout: Duration = .seconds(10)
    /// Connect over TLS, checking the server as this says; plaintext when `nil`.
    public var tls: TLSClientConfiguration?

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

/// One client connection carrying many concurrent calls.
///
/// Every call throws ``RPCError`` with the server's status on failure, and
/// `UNAVAILABLE` when the connection is lost. The client obeys the server's
/// SETTINGS: a call waits for a free stream when the server's concurrent-stream
/// limit is reached, and fails at once with `RESOURCE_EXHAUSTED` for a request
/// above the server's frame or header limit. A timeout is sent to the server
/// and also enforced locally (`DEADLINE_EXCEEDED`); cancelling the calling task
/// sends CANCEL and throws `CANCELLED`.
///
/// ```swift
/// let client = try await RPCClient.connect(RPCClientConfiguration(host: "127.0.0.1", port: 7070))
/// let reply: HealthResponse = try await client.unary("/modelgate.v1.Scoring/Health", HealthRequest())
/// ```
public final class RPCClient: Sendable {
    private let channel: any Channel
    private let writer: ConnectionWriter<ClientStream>
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let reportThreshold: Int

    private init(
        channel: any Channel, writer: ConnectionWriter<ClientStream>,
        handler: NIOLoopBound<ClientConnectionHandler>, reportThreshold: Int
    ) {
        self.channel = channel
        self.writer = writer
        self.handler = handler
        self.reportThreshold = reportThreshold
    }

    /// Opens a connection and exchanges prefaces and settings.
    ///
    /// - Throws: ``RPCError`` `UNAVAILABLE` when the server cannot be reached,
    ///   refuses the connection or does not answer within `connectTimeout`.
    public static func connect(
        _ configuration: RPCClientConfiguration, eventLoopGroup: any EventLoopGroup
    ) async throws -> RPCClient {
        let eventLoop = eventLoopGroup.next()
        let ready = eventLoop.makePromise(of: Void.self)
        let writer = ConnectionWriter<ClientStream>(
            allocator: ByteBufferAllocator(), limits: ClientConnectionHandler.peerLimits(from: Settings())
        )
        let limits = configuration.limits
        let tlsContext: TLSContext?
        do {
            tlsContext = try configuration.tls.map { configuration throws(TLSError) in try TLSContext.client(configuration) }
        } catch {
            ready.fail(error)
            throw RPCError(code: .invalidArgument, message: "cannot set up TLS: \(error.message)", cause: error)
        }
        let host = configuration.host
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext { try sync.addHandler(TLSHandler(context: tlsContext, serverHostname: host)) }
                    // Stop reading while the socket cannot take our writes: a peer that does
                    // not read cannot make us buffer its answers without bound (slow read).
                    try sync.addHandler(BackPressureHandler())
                    try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxPayload: limits.maxFrameSize)))
                    try sync.addHandler(ClientConnectionHandler(limits: limits, writer: writer, ready: ready))
                }
            }
        let target = "\(configuration.host):\(configuration.port)"
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            ready.fail(error)
            throw RPCError(code: .unavailable, message: "cannot connect to \(target): \(error)", cause: error)
        }
        let timeout = eventLoop.scheduleTask(in: TimeAmount(configuration.connectTimeout)) {
            ready.fail(RPCError(code: .unavailable, message: "no handshake from \(target) within \(configuration.connectTimeout)"))
        }
        do {
            try await ready.futureResult.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            channel.close(promise: nil)
            if let error = error as? RPCError { throw error }
            throw RPCError(code: .unavailable, message: "handshake with \(target) failed: \(error)", cause: error)
        }
        let (handler, threshold) = try await channel.pipeline.handler(type: ClientConnectionHandler.self).map { handler in
            (NIOLoopBound(handler, eventLoop: eventLoop), handler.reportThreshold)
        }.get()
        return RPCClient(channel: channel, writer: writer, handler: handler, reportThreshold: threshold)
    }

    /// Whether the connection is up and accepting new calls' streams.
    public var isConnected: Bool { self.channel.isActive && !self.writer.isFailed }

    /// Sends a PING and waits for the server's answer.
    ///
    /// - Returns: the round-trip time.
    public func ping() async throws -> Duration {
        let start = ContinuousClock.now
        let promise = self.channel.eventLoop.makePromise(of: Void.self)
        let handler = self.handler
        self.channel.eventLoop.execute { handler.value.sendPing(promise) }
        try await promise.futureResult.get()
        return ContinuousClock.now - start
    }

    /// One request, one response.
    public func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, _ request: Request, metadata: [String: String] = [:],
        timeout: Duration? = nil, as: Response.Type = Response.self
    ) async throws -> Response {
        do {
            let stream = try await self.open(method, metadata: metadata, timeout: timeout, endStream: false)
            defer { self.writer.release(stream.id) }
            _ = try await self.send(request.encoded(), on: stream.id, endStream: true)
            return try await Self.readSingleResponse(stream, as: Response.self)
        } catch {
            throw Self.rpcError(error)
        }
    }

    /// One request, a stream of responses; the stream ends with the call's status.
    ///
    /// The call starts when iteration starts; dropping the stream before its end
    /// cancels the call.
    public func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, _ request: Request, metadata: [String: String] = [:],
        timeout: Duration? = nil, as: Response.Type = Response.self
    ) -> AsyncThrowingStream<Response, any Error> {
        let call = ServerStreamingCall<Response>(
            start: { () async throws -> ClientStream in
                let stream = try await self.open(method, metadata: metadata, timeout: timeout, endStream: false)
                do {
                    _ = try await self.send(request.encoded(), on: stream.id, endStream: true)
                } catch {
                    self.writer.release(stream.id)
                    throw error
                }
                return stream
            },
            release: { [writer = self.writer] in writer.release($0) }
        )
        return AsyncThrowingStream(unfolding: { try await call.next() })
    }

    /// A stream of requests, one response.
    public func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, requests: some Sequence<Request> & Sendable, metadata: [String: String] = [:],
        timeout: Duration? = nil, as: Response.Type = Response.self
    ) async throws -> Response {
        do {
            var iterator = requests.makeIterator()
            var current = iterator.next()
            let stream = try await self.open(method, metadata: metadata, timeout: timeout, endStream: current == nil)
            defer { self.writer.release(stream.id) }
            while let request = current {
                let next = iterator.next()
                guard try await self.send(request.encoded(), on: stream.id, endStream: next == nil) else { break }
                current = next
            }
            return try await Self.readSingleResponse(stream, as: Response.self)
        } catch {
            throw Self.rpcError(error)
        }
    }

    /// Streams in both directions. `body` gets a sender (finish it to half-close)
    /// and the response stream; the call is cancelled if `body` throws, or if it
    /// returns before the server ended the call.
    public func bidirectional<Request: ProtoMessage, Response: ProtoMessage, Result: Sendable>(
        _ method: String, metadata: [String: String] = [:], timeout: Duration? = nil,
        requestType: Request.Type = Request.self, responseType: Response.Type = Response.self,
        _ body: @Sendable (RequestSender<Request>, AsyncThrowingStream<Response, any Error>) async throws -> Result
    ) async throws -> Result {
        let stream: ClientStream
        do {
            stream = try await self.open(method, metadata: metadata, timeout: timeout, endStream: false)
        } catch {
            throw Self.rpcError(error)
        }
        defer { self.writer.release(stream.id) }
        let writer = self.writer
        let streamID = stream.id
        let sender = RequestSender<Request>(
            sendBytes: { bytes in
                do {
                    try await writer.sendMessage(streamID: streamID, bytes)
                } catch is StreamFinishedByPeer {
                    throw RPCError(code: .failedPrecondition, message: "the server has already ended the call")
                } catch {
                    throw Self.rpcError(error)
                }
            },
            finishSending: {
                do {
                    try writer.halfClose(streamID: streamID)
                } catch is StreamFinishedByPeer {
                    return
                } catch {
                    throw Self.rpcError(error)
                }
            }
        )
        let responses = AsyncThrowingStream<Response, any Error>(unfolding: {
            do {
                guard let bytes = try await stream.inbound.next() else { return nil }
                return try Self.decode(Response.self, bytes)
            } catch {
                throw Self.rpcError(error)
            }
        })
        do {
            return try await body(sender, responses)
        } catch let error as CancellationError {
            throw Self.rpcError(error)
        }
    }

    /// Sends GO_AWAY, waits for open calls to end, and closes the connection.
    public func close() async {
        self.writer.refuseNewStreams(RPCError(code: .unavailable, message: "the client is closed"))
        var goAway = GoAway()
        goAway.message = "client closing"
        let payload = goAway.encoded()
        self.writer.appendFrames(capacity: FrameHeader.size + payload.count, schedule: true) {
            $0.writeFrame(.goAway, streamID: 0, payload: payload)
        }
        await self.writer.waitUntilIdle()
        try? await self.channel.close()
    }

    // MARK: Internals

    private func open(_ method: String, metadata: [String: String], timeout: Duration?, endStream: Bool) async throws -> ClientStream {
        var headers = CallHeaders()
        headers.method = method
        headers.metadata = metadata
        var deadline: NIODeadline?
        if let timeout {
            let amount = TimeAmount(timeout)
            deadline = .now() + amount
            headers.timeoutMicros = UInt64(max(amount.nanoseconds / 1000, 1))
        }
        let payload = headers.encoded()
        let writer = self.writer
        let threshold = self.reportThreshold
        return try await writer.openStream(headers: payload, endStream: endStream) { streamID in
            ClientStream(
                id: streamID,
                inbound: InboundMessages(streamID: streamID, reportThreshold: threshold, reporter: writer),
                deadline: deadline, timeout: timeout
            )
        }
    }

    /// Sends one request message.
    ///
    /// - Returns: `false` when the server already ended the call with OK (stop sending, read the response).
    private func send(_ message: [UInt8], on streamID: UInt32, endStream: Bool) async throws -> Bool {
        do {
            try await self.writer.sendMessage(streamID: streamID, message, endStream: endStream)
            return true
        } catch is StreamFinishedByPeer {
            return false
        } catch let error as RPCError where error.code != .resourceExhausted {
            // The stream was closed by the server or the deadline: its response stream holds the real outcome.
            return false
        }
    }

    private static func readSingleResponse<Response: ProtoMessage>(_ stream: ClientStream, as: Response.Type) async throws -> Response {
        guard let bytes = try await stream.inbound.next() else {
            throw RPCError(code: .internal, message: "the server ended the call without a response")
        }
        let response = try Self.decode(Response.self, bytes)
        guard try await stream.inbound.next() == nil else {
            throw RPCError(code: .internal, message: "the server sent more than one response")
        }
        return response
    }

    static func decode<Response: ProtoMessage>(_ type: Response.Type, _ bytes: [UInt8]) throws -> Response {
        do {
            return try Response(decoding: bytes)
        } catch {
            throw RPCError(code: .internal, message: "malformed \(Response.protoName) from the server: \(error.message)", cause: error)
        }
    }

    /// Every error a call throws is an ``RPCError``.
    static func rpcError(_ error: any Error) -> any Error {
        switch error {
        case let error as RPCError:
            return error
        case is CancellationError:
            return RPCError(code: .cancelled, message: "call cancelled by the caller", cause: error)
        case is StreamFinishedByPeer:
            return RPCError(code: .internal, message: "the server ended the call early")
        default:
            return RPCError(code: .unknown, message: "\(error)", cause: error)
        }
    }
}

/// The sending half of a client's bidirectional call.
public struct RequestSender<Request: ProtoMessage>: Sendable {
    let sendBytes: @Sendable ([UInt8]) async throws -> Void
    let finishSending: @Sendable () async throws -> Void

    /// Sends one request; suspends while the server has granted no credit.
    public func send(_ request: Request) async throws { try await self.sendBytes(request.encoded()) }

    /// Half-closes the request side.
    public func finish() async throws { try await self.finishSending() }
}
