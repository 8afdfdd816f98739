import ModelGateAPI
import ModelGateWire
import NIOCore

/// The async-facing side of one call on the server: its inbound messages, its
/// way to send responses and trailers, and its cancellation signal.
final class ServerStream: Sendable {
    let id: UInt32
    let inbound: InboundMessages
    let signal = CallCompletionSignal()
    private let writer: ConnectionWriter<Never>
    /// Whether the call sends one response right before its trailers (unary and
    /// client-streaming): the response then waits for the trailers' flush.
    private let singleResponse: Bool

    init(id: UInt32, inbound: InboundMessages, writer: ConnectionWriter<Never>, singleResponse: Bool) {
        self.id = id
        self.inbound = inbound
        self.writer = writer
        self.singleResponse = singleResponse
    }

    /// Sends one response message, waiting for credit.
    func write(_ message: [UInt8]) async throws {
        try await self.writer.sendMessage(streamID: self.id, message, scheduleDrain: !self.singleResponse)
    }

    /// Ends the call with `trailers` unless it is already closed (cancelled or
    /// past its deadline), then forgets the stream.
    func finish(_ trailers: Trailers) {
        let payload = trailers.encoded()
        let streamID = self.id
        self.writer.closeStream(
            streamID,
            error: RPCError(code: .failedPrecondition, message: "the call has already ended"),
            notify: true,
            frame: { $0.writeFrame(.trailers, streamID: streamID, payload: payload) },
            frameCapacity: FrameHeader.size + payload.count
        )
        self.writer.release(streamID)
    }
}
