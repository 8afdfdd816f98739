public import ModelGateAPI
public import ModelGateWire
public import NIOCore

/// How an ``RPCClient`` connects.
public struct RPCClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var limits = RPCLimits()
    public var connectTimeout: Duration = .seconds(10)

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

/// One client connection carrying many concurrent calls.
///
/// Every call throws ``RPCError`` with the server's status on failure, and
/// `UNAVAILABLE` when the connection is lost.
///
/// ```swift
/// let client = try await RPCClient.connect(RPCClientConfiguration(host: "127.0.0.1", port: 7070))
/// let reply: HealthResponse = try await client.unary("/modelgate.v1.Scoring/Health", HealthRequest())
/// ```
public final class RPCClient: Sendable {
    /// Opens a connection and exchanges prefaces and settings.
    public static func connect(
        _ configuration: RPCClientConfiguration, eventLoopGroup: any EventLoopGroup
    ) async throws -> RPCClient {
        fatalError("RPCClient is being written")
    }

    /// One request, one response.
    public func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, _ request: Request, metadata: [String: String] = [:],
        timeout: Duration? = nil, as: Response.Type = Response.self
    ) async throws -> Response {
        fatalError("RPCClient is being written")
    }

    /// One request, a stream of responses; the stream ends with the call's status.
    public func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, _ request: Request, metadata: [String: String] = [:],
        timeout: Duration? = nil, as: Response.Type = Response.self
    ) -> AsyncThrowingStream<Response, any Error> {
        fatalError("RPCClient is being written")
    }

    /// A stream of requests, one response.
    public func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, requests: some Sequence<Request> & Sendable, metadata: [String: String] = [:],
        timeout: Duration? = nil, as: Response.Type = Response.self
    ) async throws -> Response {
        fatalError("RPCClient is being written")
    }

    /// Streams in both directions. `body` gets a sender (finish it to half-close)
    /// and the response stream; the call is cancelled if `body` throws.
    public func bidirectional<Request: ProtoMessage, Response: ProtoMessage, Result: Sendable>(
        _ method: String, metadata: [String: String] = [:], timeout: Duration? = nil,
        requestType: Request.Type = Request.self, responseType: Response.Type = Response.self,
        _ body: @Sendable (RequestSender<Request>, AsyncThrowingStream<Response, any Error>) async throws -> Result
    ) async throws -> Result {
        fatalError("RPCClient is being written")
    }

    /// Sends GO_AWAY, waits for open calls to end, and closes the connection.
    public func close() async {
        fatalError("RPCClient is being written")
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
