public import ModelGateWire

/// Sends encoded response messages on one call, waiting for flow-control credit.
public struct RawResponseWriter: Sendable {
    let sendBytes: @Sendable ([UInt8]) async throws -> Void

    public init(_ send: @escaping @Sendable ([UInt8]) async throws -> Void) { self.sendBytes = send }

    /// Sends one message; suspends while the peer has granted no credit.
    public func write(_ message: some ProtoMessage) async throws {
        try await self.sendBytes(message.encoded())
    }
}

/// Sends typed response messages on one call.
public struct ResponseWriter<Response: ProtoMessage>: Sendable {
    let raw: RawResponseWriter

    init(raw: RawResponseWriter) { self.raw = raw }

    /// Sends one message; suspends while the peer has granted no credit, so a
    /// slow reader slows the handler instead of growing the server's memory.
    public func write(_ message: Response) async throws {
        try await self.raw.write(message)
    }
}
