internal import ModelGateWire
internal import NIOCore

/// Reads a replica's preface, then its frames, checking each header before
/// its payload is buffered.
///
/// A replica sends `MODELGATE/1\r\n\r\n` once, then frames with the client
/// protocol's 10-byte header. Everything a replica may not send is refused
/// here: an unknown or server-only type, a payload over the limit, a flag other
/// than ACK on PING, a wrong id (READY, INIT_FAILED and PING on 0, RESULT never
/// on 0), a PING that is not 8 bytes. Order (READY first, RESULT only for a
/// request in flight) is ``ReplicaConnection``'s business.
struct ReplicaFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ReplicaFrame

    /// Largest payload accepted, in bytes.
    let maxPayload: Int
    private var sawPreface = false

    init(maxPayload: Int) {
        self.maxPayload = maxPayload
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> ReplicaFrame? {
        if !self.sawPreface {
            let expected = Preface.bytes
            let available = min(buffer.readableBytes, expected.count)
            // Refuse a wrong peer on its first bytes, not after it sent all fifteen.
            guard let prefix = buffer.getBytes(at: buffer.readerIndex, length: available),
                prefix.elementsEqual(expected.prefix(available))
            else {
                throw ReplicaProtocolError("the replica did not start with the MODELGATE/1 preface")
            }
            guard available == expected.count else { return nil }
            buffer.moveReaderIndex(forwardBy: expected.count)
            self.sawPreface = true
        }
        guard let (length, rawType, flags, id) = buffer.getMultipleIntegers(
            at: buffer.readerIndex, as: (UInt32, UInt8, UInt8, UInt32).self
        ) else { return nil }
        let type = ReplicaFrameType(rawValue: rawType)
        try self.check(length: length, type: type, flags: flags, id: id)
        guard buffer.readableBytes >= ReplicaFrame.headerSize + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: ReplicaFrame.headerSize)
        guard let payload = buffer.readSlice(length: Int(length)) else {
            // Unreachable: the length was checked just above.
            throw ReplicaProtocolError("frame payload vanished from the buffer")
        }
        return ReplicaFrame(type: type, flags: flags, id: id, payload: payload)
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ReplicaFrame? {
        // A frame cut off by the close is dropped; the close itself is what matters.
        try self.decode(buffer: &buffer)
    }

    private func check(length: UInt32, type: ReplicaFrameType, flags: UInt8, id: UInt32) throws {
        guard type.isSentByReplica else {
            throw ReplicaProtocolError("unexpected frame type \(type) from the replica")
        }
        guard Int(length) <= self.maxPayload else {
            throw ReplicaProtocolError("\(type) payload of \(length) bytes exceeds the limit of \(self.maxPayload) bytes")
        }
        if flags & ~ReplicaFrame.ackFlag != 0 {
            throw ReplicaProtocolError("unknown flags 0x\(String(flags, radix: 16)) on \(type)")
        }
        if flags & ReplicaFrame.ackFlag != 0, type != .ping {
            throw ReplicaProtocolError("ACK flag on \(type)")
        }
        if type == .result {
            guard id != 0 else { throw ReplicaProtocolError("RESULT frame on id 0") }
        } else if id != 0 {
            throw ReplicaProtocolError("\(type) frame on id \(id); it belongs to id 0")
        }
        if type == .ping, length != 8 {
            throw ReplicaProtocolError("PING payload must be 8 bytes, got \(length)")
        }
    }
}
