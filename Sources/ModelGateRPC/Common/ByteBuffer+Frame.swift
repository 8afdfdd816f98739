import ModelGateWire
import NIOCore

extension ByteBuffer {
    /// Appends a frame header, big-endian as the protocol says.
    mutating func writeFrameHeader(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, length: Int) {
        self.writeMultipleIntegers(UInt32(truncatingIfNeeded: length), type.rawValue, flags.rawValue, streamID)
    }

    /// Appends a whole frame whose payload is `payload`.
    mutating func writeFrame(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, payload: [UInt8]) {
        self.writeFrameHeader(type, flags: flags, streamID: streamID, length: payload.count)
        self.writeBytes(payload)
    }

    /// Appends a WINDOW_UPDATE frame granting `increment` bytes.
    mutating func writeWindowUpdate(streamID: UInt32, increment: UInt32) {
        self.writeFrameHeader(.windowUpdate, streamID: streamID, length: 4)
        self.writeInteger(increment)
    }
}
