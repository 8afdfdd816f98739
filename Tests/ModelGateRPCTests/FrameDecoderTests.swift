import ModelGateAPI
@testable import ModelGateRPC
import ModelGateWire
import NIOCore
import NIOEmbedded
import Testing

@Suite("FrameDecoder")
struct FrameDecoderTests {
    private func makeChannel(maxPayload: UInt32 = 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxPayload: maxPayload)))
        return channel
    }

    private var sampleInput: [UInt8] {
        Preface.bytes
            + RawFrameClient.frameBytes(.headers, flags: .endStream, streamID: 1, payload: [1, 2, 3])
            + RawFrameClient.frameBytes(.message, streamID: 1, payload: [])
            + RawFrameClient.frameBytes(.windowUpdate, streamID: 0, payload: [0, 0, 1, 0])
            + RawFrameClient.frameBytes(.message, streamID: 3, payload: [UInt8](repeating: 9, count: 1000))
    }

    private func readFrames(_ channel: EmbeddedChannel) throws -> [RawFrame] {
        var frames: [RawFrame] = []
        while let frame = try channel.readInbound(as: Frame.self) {
            frames.append(RawFrame(
                type: frame.header.type, flags: frame.header.flags, streamID: frame.header.streamID,
                payload: Array(frame.payload.readableBytesView)
            ))
        }
        return frames
    }

    @Test func framesSplitAtEveryByteDecodeLikeWholeInput() throws {
        // Given the same input all at once and byte by byte
        let whole = try self.makeChannel()
        try whole.writeInbound(ByteBuffer(bytes: self.sampleInput))
        let expected = try self.readFrames(whole)
        let split = try self.makeChannel()
        var got: [RawFrame] = []
        for byte in self.sampleInput {
            try split.writeInbound(ByteBuffer(bytes: [byte]))
            got += try self.readFrames(split)
        }
        // Then both decode the same four frames
        #expect(expected.count == 4)
        #expect(got.map(\.description) == expected.map(\.description))
        #expect(got.map(\.payload) == expected.map(\.payload))
        #expect(try whole.finish().isClean)
        #expect(try split.finish().isClean)
    }

    @Test func maximumLengthIsRefusedAsSoonAsTheHeaderArrives() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(bytes: Preface.bytes + [0xFF, 0xFF, 0xFF]))
        // The tenth header byte completes the header: refused with no payload buffered.
        let error = #expect(throws: ConnectionError.self) {
            try channel.writeInbound(ByteBuffer(bytes: [0xFF, 2, 0, 0, 0, 0, 1]))
        }
        #expect(error?.code == .resourceExhausted)
        #expect(error?.message == "frame payload of 4294967295 bytes exceeds the limit of 1024 bytes")
        #expect(try channel.readInbound(as: Frame.self) == nil)
    }

    @Test func wrongPrefaceIsRefusedAtTheFirstWrongByte() throws {
        let channel = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(bytes: Array("MODEL".utf8)))
        let error = #expect(throws: ConnectionError.self) {
            try channel.writeInbound(ByteBuffer(bytes: Array("X".utf8)))
        }
        #expect(error?.message.contains("bad preface") == true)
    }

    @Test func tlsRecordInPlaceOfThePrefaceSaysSo() throws {
        let channel = try self.makeChannel()
        // A TLS ClientHello's record header.
        let error = #expect(throws: ConnectionError.self) {
            try channel.writeInbound(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x00, 0xF4]))
        }
        #expect(error?.message.contains("the peer speaks TLS") == true, "\(String(describing: error))")
    }

    @Test func unknownFrameTypeIsRefused() throws {
        let channel = try self.makeChannel()
        var bytes = Preface.bytes
        FrameHeader(length: 0, type: FrameType(rawValue: 99), streamID: 1).write(to: &bytes)
        let error = #expect(throws: ConnectionError.self) {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message == "unknown frame type 99")
    }

    @Test func connectionFrameOnAStreamIsRefused() throws {
        let channel = try self.makeChannel()
        let bytes = Preface.bytes + RawFrameClient.frameBytes(.ping, streamID: 3, payload: [UInt8](repeating: 0, count: 8))
        #expect(throws: ConnectionError.self) {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }
    }
}
