import ModelGateAPI
import ModelGateWire
import NIOCore

/// Decodes the peer's preface and then its frames.
///
/// Every header is checked (``FrameHeader/validate(maxPayload:)``: length
/// against the limit, known type, stream id against the type) as soon as its
/// ten bytes are in, before a byte of its payload is buffered: a length of
/// 0xFFFFFFFF is refused without allocating anything. The preface is compared
/// byte by byte, so a wrong peer (an HTTP request, a TLS hello) is refused at
/// its first wrong byte.
///
/// Errors are ``ConnectionError``s: the connection handler answers them with
/// GO_AWAY and closes. After an error `ByteToMessageHandler` stops decoding.
///
/// Memory: `ByteToMessageHandler` buffers at most one partial frame (bounded by
/// the limit checked here) plus one socket read.
final class FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    /// The largest payload accepted; may change when a peer's SETTINGS arrive.
    var maxPayload: UInt32
    /// How many preface bytes have matched so far.
    private var prefaceMatched = 0
    /// The header of a frame whose payload is still incomplete.
    private var pendingHeader: FrameHeader?

    init(maxPayload: UInt32) {
        self.maxPayload = maxPayload
    }

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if self.prefaceMatched < Preface.bytes.count {
            while self.prefaceMatched < Preface.bytes.count, let byte = buffer.readInteger(as: UInt8.self) {
                guard byte == Preface.bytes[self.prefaceMatched] else {
                    if self.prefaceMatched == 0, byte == 0x15 || byte == 0x16 {
                        // A TLS record (alert or handshake) where the preface belongs.
                        throw ConnectionError.protocolViolation(
                            "bad preface: the peer speaks TLS (byte 0 was 0x\(String(byte, radix: 16))); connect both sides with TLS or neither"
                        )
                    }
                    throw ConnectionError.protocolViolation(
                        "bad preface: expected \"MODELGATE/1\\r\\n\\r\\n\", byte \(self.prefaceMatched) was 0x\(String(byte, radix: 16))"
                    )
                }
                self.prefaceMatched += 1
            }
            if self.prefaceMatched < Preface.bytes.count { return .needMoreData }
        }

        let header: FrameHeader
        if let pending = self.pendingHeader {
            header = pending
        } else {
            guard let (length, type, flags, streamID) = buffer.readMultipleIntegers(as: (UInt32, UInt8, UInt8, UInt32).self) else {
                return .needMoreData
            }
            header = FrameHeader(length: length, type: FrameType(rawValue: type), flags: FrameFlags(rawValue: flags), streamID: streamID)
            try Self.check(header, maxPayload: self.maxPayload)
        }
        guard let payload = buffer.readSlice(length: Int(header.length)) else {
            // Keep the checked header; the payload arrives in later reads.
            self.pendingHeader = header
            return .needMoreData
        }
        self.pendingHeader = nil
        context.fireChannelRead(Self.wrapInboundOut(Frame(header: header, payload: payload)))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A truncated frame at EOF is dropped: the connection is closing anyway.
        while try self.decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// Validates a header, reporting an oversized frame as `RESOURCE_EXHAUSTED`
    /// and any other malformed header as a protocol violation.
    static func check(_ header: FrameHeader, maxPayload: UInt32) throws(ConnectionError) {
        guard header.length <= maxPayload else {
            throw ConnectionError(
                .resourceExhausted,
                "frame payload of \(header.length) bytes exceeds the limit of \(maxPayload) bytes"
            )
        }
        do {
            try header.validate(maxPayload: maxPayload)
        } catch {
            throw ConnectionError.protocolViolation(error.message)
        }
    }
}
