import ModelGateWire
import Testing

@Suite("Varints")
struct VarintTests {
    static let boundaries: [(value: UInt64, hex: String)] = [
        (0, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "8001"),
        (300, "ac02"),
        (16_383, "ff7f"),
        (16_384, "808001"),
        (UInt64(UInt32.max), "ffffffff0f"),
        (1 << 63, "80808080808080808001"),
        (UInt64.max, "ffffffffffffffffff01"),
    ]

    @Test("Varints encode to the spec's bytes and decode back", arguments: boundaries)
    func varintRoundTripsAtBoundaries(value: UInt64, hex: String) throws {
        // Given / When
        var writer = ProtoWriter()
        writer.writeVarint(value)

        // Then
        #expect(Hex.string(writer.bytes) == hex)
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try reader.readVarint() == value)
        #expect(reader.isAtEnd)
    }

    static let tooLong: [(label: String, hex: String)] = [
        ("11 bytes", "ffffffffffffffffffff01"),
        ("10th byte is 2", "ffffffffffffffffff02"),
        ("10th byte is 0x7f", "ffffffffffffffffff7f"),
        ("10th byte has the continuation bit", "ffffffffffffffffff81"),
    ]

    @Test("Over-long varints are refused as varintTooLong", arguments: tooLong)
    func overlongVarintIsRefused(label: String, hex: String) {
        var reader = ProtoReader(bytes: Hex.bytes(hex))
        let error = #expect(throws: WireError.self, "\(label)") { try reader.readVarint() }
        #expect(error?.code == .varintTooLong, "\(label)")
    }

    @Test("A 10-byte varint with a final 1 is the largest value accepted")
    func tenByteVarintEndingInOneIsAccepted() throws {
        var reader = ProtoReader(bytes: Hex.bytes("ffffffffffffffffff01"))
        #expect(try reader.readVarint() == UInt64.max)
    }

    @Test("A non-canonical padded varint decodes to its value")
    func paddedVarintDecodes() throws {
        // 1 written in 3 bytes: parsers must accept it even though writers never produce it.
        var reader = ProtoReader(bytes: Hex.bytes("818000"))
        #expect(try reader.readVarint() == 1)
    }

    @Test("A varint cut off by the end of input is truncated", arguments: ["", "80", "ffff", "ffffffffffffffffff"])
    func truncatedVarintIsRefused(hex: String) {
        var reader = ProtoReader(bytes: Hex.bytes(hex))
        let error = #expect(throws: WireError.self) { try reader.readVarint() }
        #expect(error?.code == .truncated)
    }
}
