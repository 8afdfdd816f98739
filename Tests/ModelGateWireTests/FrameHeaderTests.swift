import ModelGateWire
import Testing

@Suite("Frame headers")
struct FrameHeaderTests {
    static let limit: UInt32 = 4 * 1024 * 1024

    @Test("A header is written as 4-byte big-endian length, type, flags, 4-byte big-endian stream id")
    func headerLayout() throws {
        // Given
        let header = FrameHeader(length: 0x0102_0304, type: .message, flags: .endStream, streamID: 0x0A0B_0C0D)

        // When
        var bytes: [UInt8] = []
        header.write(to: &bytes)

        // Then
        #expect(Hex.string(bytes) == "01020304" + "02" + "01" + "0a0b0c0d")
        #expect(bytes.count == FrameHeader.size)
        #expect(try FrameHeader.parse(bytes, maxPayload: .max) == header)
    }

    @Test("Every valid frame shape parses back to itself", arguments: [
        FrameHeader(length: 12, type: .headers, streamID: 1),
        FrameHeader(length: 0, type: .message, flags: .endStream, streamID: 3),
        FrameHeader(length: limit, type: .message, streamID: 0xFFFF_FFFF),
        FrameHeader(length: 5, type: .trailers, streamID: 5),
        FrameHeader(length: 0, type: .cancel, streamID: 7),
        FrameHeader(length: 4, type: .windowUpdate, streamID: 0),
        FrameHeader(length: 4, type: .windowUpdate, streamID: 9),
        FrameHeader(length: 8, type: .ping, streamID: 0),
        FrameHeader(length: 8, type: .ping, flags: .ack, streamID: 0),
        FrameHeader(length: 6, type: .goAway, streamID: 0),
        FrameHeader(length: 0, type: .settings, streamID: 0),
    ])
    func validHeaderRoundTrips(header: FrameHeader) throws {
        var bytes: [UInt8] = []
        header.write(to: &bytes)
        #expect(try FrameHeader.parse(bytes, maxPayload: Self.limit) == header)
    }

    @Test("Headers breaking a rule are refused as invalidFrame", arguments: [
        ("length one over the limit", FrameHeader(length: limit + 1, type: .message, streamID: 1)),
        ("length 0xFFFFFFFF", FrameHeader(length: 0xFFFF_FFFF, type: .message, streamID: 1)),
        ("unknown type 0", FrameHeader(length: 0, type: FrameType(rawValue: 0), streamID: 1)),
        ("unknown type 9", FrameHeader(length: 0, type: FrameType(rawValue: 9), streamID: 1)),
        ("unknown type 255", FrameHeader(length: 0, type: FrameType(rawValue: 255), streamID: 1)),
        ("HEADERS on stream 0", FrameHeader(length: 1, type: .headers, streamID: 0)),
        ("MESSAGE on stream 0", FrameHeader(length: 1, type: .message, streamID: 0)),
        ("TRAILERS on stream 0", FrameHeader(length: 1, type: .trailers, streamID: 0)),
        ("CANCEL on stream 0", FrameHeader(length: 0, type: .cancel, streamID: 0)),
        ("PING on a stream", FrameHeader(length: 8, type: .ping, streamID: 1)),
        ("GO_AWAY on a stream", FrameHeader(length: 0, type: .goAway, streamID: 1)),
        ("SETTINGS on a stream", FrameHeader(length: 0, type: .settings, streamID: 1)),
        ("WINDOW_UPDATE of 3 bytes", FrameHeader(length: 3, type: .windowUpdate, streamID: 1)),
        ("WINDOW_UPDATE of 5 bytes", FrameHeader(length: 5, type: .windowUpdate, streamID: 0)),
        ("PING of 7 bytes", FrameHeader(length: 7, type: .ping, streamID: 0)),
        ("PING of 9 bytes", FrameHeader(length: 9, type: .ping, streamID: 0)),
    ])
    func invalidHeaderIsRefused(label: String, header: FrameHeader) {
        // Given the header's bytes
        var bytes: [UInt8] = []
        header.write(to: &bytes)

        // Then both the parser and the validator refuse it
        let parseError = #expect(throws: WireError.self, "\(label)") { _ = try FrameHeader.parse(bytes, maxPayload: Self.limit) }
        #expect(parseError?.code == .invalidFrame, "\(label)")
        let validateError = #expect(throws: WireError.self, "\(label)") { try header.validate(maxPayload: Self.limit) }
        #expect(validateError?.code == .invalidFrame, "\(label)")
    }

    @Test("Length 0xFFFFFFFF is accepted only when the limit allows it")
    func maximumLengthAgainstLimit() throws {
        let bytes = Hex.bytes("ffffffff 02 00 00000001")
        let error = #expect(throws: WireError.self) { _ = try FrameHeader.parse(bytes, maxPayload: 0xFFFF_FFFE) }
        #expect(error?.code == .invalidFrame)
        #expect(error?.message.contains("4294967295") == true)
        #expect(error?.message.contains("4294967294") == true)
        #expect(try FrameHeader.parse(bytes, maxPayload: 0xFFFF_FFFF).length == 0xFFFF_FFFF)
    }

    @Test("A payload exactly at the limit is accepted")
    func lengthAtLimitIsAccepted() throws {
        #expect(throws: Never.self) { try FrameHeader(length: Self.limit, type: .message, streamID: 1).validate(maxPayload: Self.limit) }
    }

    @Test("Fewer than ten bytes is truncated", arguments: [0, 1, 9])
    func shortHeaderIsTruncated(count: Int) {
        let bytes = [UInt8](repeating: 0, count: count)
        let error = #expect(throws: WireError.self) { _ = try FrameHeader.parse(bytes, maxPayload: Self.limit) }
        #expect(error?.code == .truncated)
    }

    @Test("Only the first ten bytes are read; the payload after them is ignored")
    func parseReadsOnlyHeader() throws {
        let bytes = Hex.bytes("00000008 06 01 00000000" + "0102030405060708")
        let header = try FrameHeader.parse(bytes, maxPayload: Self.limit)
        #expect(header == FrameHeader(length: 8, type: .ping, flags: .ack, streamID: 0))
    }

    @Test("Unknown flag bits are carried, not refused")
    func unknownFlagsAreCarried() throws {
        let header = try FrameHeader.parse(Hex.bytes("00000000 02 fe 00000001"), maxPayload: Self.limit)
        #expect(header.flags.rawValue == 0xFE)
    }

    @Test("The preface names the protocol and version in 15 bytes")
    func prefaceBytes() {
        #expect(Preface.bytes == Array("MODELGATE/1\r\n\r\n".utf8))
        #expect(Preface.bytes.count == 15)
    }

    @Test("Frame types know their level and names", arguments: 0...255)
    func frameTypeClassification(raw: Int) {
        let type = FrameType(rawValue: UInt8(raw))
        #expect(type.isKnown == (1...8).contains(raw))
        #expect(type.isConnectionLevel == [6, 7, 8].contains(raw))
        #expect(type.description.hasPrefix("UNKNOWN") == !type.isKnown)
    }
}
