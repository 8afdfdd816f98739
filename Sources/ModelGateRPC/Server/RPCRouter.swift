import ModelGateAPI
public import ModelGateWire

/// Maps full method names ("/modelgate.v1.Workspace/CreateWorkspace") to handlers.
///
/// Handlers are plain async functions; the transport decodes requests, encodes
/// responses, applies deadlines and turns thrown errors into trailers: an
/// ``RPCError`` is sent as it is, an ``RPCErrorConvertible`` is converted, and
/// anything else becomes `INTERNAL` with a fixed message (the cause is logged,
/// never sent).
///
/// ```swift
/// var router = RPCRouter()
/// router.unary("/modelgate.v1.Workspace/GetWorkspace") { (request: GetWorkspaceRequest, context) in
///     try await store.workspace(named: request.name)
/// }
/// ```
public struct RPCRouter: Sendable {
    /// The registered handlers, by full method name.
    public private(set) var handlers: [String: RPCHandler] = [:]

    public init() {}

    /// Registers a call with one request and one response.
    public mutating func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String,
        _ handler: @escaping @Sendable (Request, ServerCallContext) async throws -> Response
    ) {
        self.handlers[method] = RPCHandler(kind: .unary) { requests, responses, context in
            let request = try await requests.single(Request.self)
            let response = try await handler(request, context)
            try await responses.write(response)
        }
    }

    /// Registers a call with one request and a stream of responses.
    public mutating func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String,
        _ handler: @escaping @Sendable (Request, ServerCallContext, ResponseWriter<Response>) async throws -> Void
    ) {
        self.handlers[method] = RPCHandler(kind: .serverStreaming) { requests, responses, context in
            let request = try await requests.single(Request.self)
            try await handler(request, context, ResponseWriter(raw: responses))
        }
    }

    /// Registers a call with a stream of requests and one response.
    public mutating func clientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String,
        _ handler: @escaping @Sendable (RequestStream<Request>, ServerCallContext) async throws -> Response
    ) {
        self.handlers[method] = RPCHandler(kind: .clientStreaming) { requests, responses, context in
            let response = try await handler(RequestStream(raw: requests), context)
            try await responses.write(response)
        }
    }

    /// Registers a call with streams in both directions.
    public mutating func bidirectional<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String,
        _ handler: @escaping @Sendable (RequestStream<Request>, ResponseWriter<Response>, ServerCallContext) async throws -> Void
    ) {
        self.handlers[method] = RPCHandler(kind: .bidirectional) { requests, responses, context in
            try await handler(RequestStream(raw: requests), ResponseWriter(raw: responses), context)
        }
    }
}

/// A registered handler, erased to raw message bytes.
public struct RPCHandler: Sendable {
    public enum Kind: Sendable { case unary, serverStreaming, clientStreaming, bidirectional }
    public let kind: Kind
    public let run: @Sendable (RawRequestStream, RawResponseWriter, ServerCallContext) async throws -> Void
}
