import Foundation
import ModelGateWire
@testable import ModelGateServer
import NIOCore
import Testing

@Suite("ReplicaFrameDecoder")
struct ReplicaFrameDecoderTests {
    static func frame(type: UInt8, flags: UInt8 = 0, id: UInt32 = 0, payload: [UInt8] = []) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(UInt32(payload.count), type, flags, id)
        buffer.writeBytes(payload)
        return Array(buffer.readableBytesView)
    }

    @Test("The preface, then READY and RESULT frames decode, byte by byte too")
    func decodesFramesAfterThePreface() throws {
        let bytes = Preface.bytes + Self.frame(type: 0x10, payload: Array("{}".utf8)) + Self.frame(type: 0x13, id: 7, payload: [0, 0, 0, 0])
        for chunkSize in [1, bytes.count] {
            var decoder = ReplicaFrameDecoder(maxPayload: 1024)
            var buffer = ByteBuffer()
            var frames: [ReplicaFrame] = []
            for chunk in stride(from: 0, to: bytes.count, by: chunkSize) {
                buffer.writeBytes(bytes[chunk..<min(chunk + chunkSize, bytes.count)])
                while let frame = try decoder.decode(buffer: &buffer) { frames.append(frame) }
            }
            #expect(frames.map(\.type) == [.ready, .result])
            #expect(frames.map(\.id) == [0, 7])
        }
    }

    @Test("Frames a replica may not send are refused before their payload is read", arguments: [
        (Self.frame(type: 0x12, id: 1), "unexpected frame type SCORE"),
        (Self.frame(type: 0x02, id: 1), "unexpected frame type UNKNOWN(0x2)"),
        (Self.frame(type: 0x13, id: 0), "RESULT frame on id 0"),
        (Self.frame(type: 0x10, id: 3), "READY frame on id 3"),
        (Self.frame(type: 0x13, flags: 1, id: 1), "ACK flag on RESULT"),
        (Self.frame(type: 0x13, flags: 4, id: 1), "unknown flags 0x4 on RESULT"),
        (Self.frame(type: 0x06, payload: [1, 2, 3]), "PING payload must be 8 bytes, got 3"),
        (Array(Self.frame(type: 0x13, id: 1).prefix(10)).withLength(UInt32.max), "exceeds the limit of 1024 bytes"),
    ] as [([UInt8], String)])
    func refusesBadFrames(bytes: [UInt8], message: String) {
        var decoder = ReplicaFrameDecoder(maxPayload: 1024)
        var buffer = ByteBuffer(bytes: Preface.bytes + bytes)
        let error = #expect(throws: ReplicaProtocolError.self) { _ = try decoder.decode(buffer: &buffer) }
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test("A peer that does not start with the preface is refused at its first wrong byte")
    func refusesAWrongPreface() {
        var decoder = ReplicaFrameDecoder(maxPayload: 1024)
        var buffer = ByteBuffer(string: "GET")
        #expect(throws: ReplicaProtocolError.self) { _ = try decoder.decode(buffer: &buffer) }
    }

    @Test("A SCORE payload carries the meta JSON, then the body")
    func scorePayloadLayout() throws {
        var request = ReplicaRequest(body: Array("body".utf8), headers: ["x-quote": "a\"b\n"], requestID: "id-1")
        request.timeout = .milliseconds(250)
        var buffer = ByteBuffer()

        request.writePayload(to: &buffer)

        let length = buffer.readInteger(as: UInt32.self)
        let metaLength = try #require(length)
        let metaText = buffer.readString(length: Int(metaLength))
        let meta = try #require(metaText)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(meta.utf8)) as? [String: Any])
        #expect(parsed["method"] as? String == "POST")
        #expect(parsed["timeout_ms"] as? Int == 250)
        #expect(parsed["request_id"] as? String == "id-1")
        #expect((parsed["headers"] as? [String: String])?["x-quote"] == "a\"b\n")
        let body = buffer.readString(length: buffer.readableBytes)
        #expect(body == "body")
    }
}

extension Array where Element == UInt8 {
    /// This frame header with its length field replaced.
    fileprivate func withLength(_ length: UInt32) -> [UInt8] {
        var copy = self
        copy[0] = UInt8(length >> 24)
        copy[1] = UInt8(truncatingIfNeeded: length >> 16)
        copy[2] = UInt8(truncatingIfNeeded: length >> 8)
        copy[3] = UInt8(truncatingIfNeeded: length)
        return copy
    }
}
