import ModelGateAPI
public import ModelGateWire

/// The raw inbound messages of one call: encoded payloads, in order.
///
/// Consuming a message returns its flow-control credit to the peer, so a
/// handler that stops reading stops the peer from sending more.
public struct RawRequestStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    private enum Source: Sendable {
        case stream(AsyncThrowingStream<[UInt8], any Error>)
        case messages(InboundMessages)
    }

    private let source: Source

    /// A stream over any async sequence of payloads (tests, in-process callers).
    public init(_ stream: AsyncThrowingStream<[UInt8], any Error>) { self.source = .stream(stream) }

    /// The transport's stream for one call.
    init(messages: InboundMessages) { self.source = .messages(messages) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate enum Base {
            case stream(AsyncThrowingStream<[UInt8], any Error>.AsyncIterator)
            case messages(InboundMessages)
        }

        fileprivate var base: Base

        public mutating func next() async throws -> [UInt8]? {
            switch self.base {
            case .messages(let messages):
                return try await messages.next()
            case .stream(var iterator):
                defer { self.base = .stream(iterator) }
                return try await iterator.next()
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch self.source {
        case .stream(let stream): AsyncIterator(base: .stream(stream.makeAsyncIterator()))
        case .messages(let messages): AsyncIterator(base: .messages(messages))
        }
    }

    /// Reads exactly one message, as unary and server-streaming calls expect;
    /// waits for the end of the request side so a second message is caught.
    ///
    /// - Throws: ``RPCError`` `INVALID_ARGUMENT` when there is none, more than
    ///   one, or it does not decode.
    func single<M: ProtoMessage>(_ type: M.Type) async throws -> M {
        var iterator = self.makeAsyncIterator()
        guard let bytes = try await iterator.next() else {
            throw RPCError(code: .invalidArgument, message: "call ended without a request message")
        }
        guard try await iterator.next() == nil else {
            throw RPCError(code: .invalidArgument, message: "call sent more than one request message; \(M.protoName) expects one")
        }
        return try decodeRequest(M.self, bytes)
    }
}

/// Decodes a request, mapping a wire error to `INVALID_ARGUMENT` with its reason.
func decodeRequest<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) throws -> M {
    do {
        return try M(decoding: bytes)
    } catch {
        throw RPCError(code: .invalidArgument, message: "malformed \(M.protoName): \(error.message)", cause: error)
    }
}

/// The decoded request messages of a client-streaming or bidirectional call.
public struct RequestStream<Request: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Request
    let raw: RawRequestStream

    init(raw: RawRequestStream) { self.raw = raw }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: RawRequestStream.AsyncIterator
        public mutating func next() async throws -> Request? {
            guard let bytes = try await self.base.next() else { return nil }
            return try decodeRequest(Request.self, bytes)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: self.raw.makeAsyncIterator()) }
}
