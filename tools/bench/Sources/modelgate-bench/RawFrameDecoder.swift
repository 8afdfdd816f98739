import ModelGateWire
import NIOCore

/// Splits a byte stream into ModelGate frames (the same 10-byte header and
/// the same header checks as the RPC layer) and nothing more.
final class RawFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RawFrame

    let maxPayload: UInt32
    init(maxPayload: UInt32) { self.maxPayload = maxPayload }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let start = buffer.readerIndex
        guard let (length, type, flags, streamID) = buffer.readMultipleIntegers(as: (UInt32, UInt8, UInt8, UInt32).self) else {
            return .needMoreData
        }
        let header = FrameHeader(length: length, type: FrameType(rawValue: type), flags: FrameFlags(rawValue: flags), streamID: streamID)
        try header.validate(maxPayload: self.maxPayload)
        guard let payload = buffer.readSlice(length: Int(length)) else {
            buffer.moveReaderIndex(to: start)
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(RawFrame(streamID: streamID, payload: payload)))
        return .continue
    }
}

/// One frame as the raw ceiling sees it.
struct RawFrame {
    var streamID: UInt32
    var payload: ByteBuffer
}

extension ByteBuffer {
    /// Appends a MESSAGE frame carrying `payload`.
    mutating func writeRawMessageFrame(streamID: UInt32, payload: ByteBuffer) {
        self.writeMultipleIntegers(UInt32(payload.readableBytes), FrameType.message.rawValue, UInt8(0), streamID)
        var payload = payload
        self.writeBuffer(&payload)
    }
}
