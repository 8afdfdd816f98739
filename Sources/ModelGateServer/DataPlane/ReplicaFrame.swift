internal import NIOCore

/// One frame on a replica connection: the 10-byte header's fields and the payload.
struct ReplicaFrame: Sendable {
    /// Bytes of the header: length (4), type (1), flags (1), id (4), big-endian.
    static let headerSize = 10
    /// The only flag: on PING, "this answers a ping".
    static let ackFlag: UInt8 = 0x01

    var type: ReplicaFrameType
    var flags: UInt8
    /// The request number for SCORE, RESULT and CANCEL; 0 otherwise.
    var id: UInt32
    var payload: ByteBuffer

    init(type: ReplicaFrameType, flags: UInt8 = 0, id: UInt32 = 0, payload: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.flags = flags
        self.id = id
        self.payload = payload
    }

    /// Appends the frame's header and payload to `buffer`.
    func write(to buffer: inout ByteBuffer) {
        Self.writeHeader(type: self.type, flags: self.flags, id: self.id, length: self.payload.readableBytes, to: &buffer)
        var payload = self.payload
        buffer.writeBuffer(&payload)
    }

    /// Appends a header; the caller appends `length` bytes of payload after it.
    static func writeHeader(type: ReplicaFrameType, flags: UInt8, id: UInt32, length: Int, to buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(UInt32(truncatingIfNeeded: length), type.rawValue, flags, id)
    }
}
