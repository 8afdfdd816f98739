import ModelGateWire
import Testing

@Suite("Unknown fields and unknown enum values")
struct UnknownFieldTests {
    @Test("Unknown fields of every wire type are kept and re-emitted after the known fields", arguments: [
        ("varint", "a006 96 01"),
        ("fixed64", "a106 0102030405060708"),
        ("length-delimited", "a206 03 78 00 ff"),
        ("fixed32", "a506 01020304"),
    ])
    func unknownFieldIsKeptAfterKnownFields(label: String, unknown: String) throws {
        // Given an unknown field before and after a known one
        let bytes = Hex.bytes(unknown + "28 05" + unknown)

        // When
        let decoded = try AllScalars(decoding: bytes)

        // Then the known field is read and the unknown ones come last, in arrival order
        #expect(decoded.int32 == 5, "\(label)")
        #expect(decoded.unknownFields.bytes == Hex.bytes(unknown + unknown), "\(label)")
        #expect(Hex.string(decoded.encoded()) == Hex.string(Hex.bytes("28 05" + unknown + unknown)), "\(label)")
    }

    @Test("Unknown fields keep their original encoding byte for byte, even when non-canonical")
    func unknownFieldsKeepTheirBytes() throws {
        // A padded varint (3 bytes for 1) and an out-of-order run of numbers.
        let unknown = Hex.bytes("b006 818000 a006 01")
        let decoded = try AllScalars(decoding: unknown)
        #expect(decoded.encoded() == unknown)
    }

    @Test("Unknown fields inside nested messages survive a round trip")
    func nestedUnknownFieldsSurvive() throws {
        // Composite.child (2) holds an int32 (5) and an unknown field 100; Composite has unknown 7.
        let bytes = Hex.bytes("12 05 2801 a00601 38 09")
        let decoded = try Composite(decoding: bytes)
        #expect(decoded.child?.int32 == 1)
        #expect(decoded.child?.unknownFields.bytes == Hex.bytes("a00601"))
        #expect(decoded.unknownFields.bytes == Hex.bytes("38 09"))
        #expect(decoded.encoded() == bytes)
    }

    @Test("A field known to one message is unknown to another", arguments: [
        // AllScalars fields 10 and 11 are not declared (group and message numbers in FieldType).
        "50 01", "5a 00",
    ])
    func undeclaredNumbersAreUnknown(hex: String) throws {
        let decoded = try AllScalars(decoding: Hex.bytes(hex))
        #expect(decoded == { var m = AllScalars(); m.unknownFields.bytes = Hex.bytes(hex); return m }())
    }

    @Test("Unknown enum values are kept, singular and repeated", arguments: [Int32(3), 99, -1, Int32.max, Int32.min])
    func unknownEnumValuesAreKept(raw: Int32) throws {
        // Given
        var message = AllScalars()
        message.color = TestColor(rawValue: raw)
        var repeated = AllRepeated()
        repeated.color = [.red, TestColor(rawValue: raw)]

        // When
        let decoded = try AllScalars(decoding: message.encoded())
        let decodedRepeated = try AllRepeated(decoding: repeated.encoded())

        // Then
        #expect(decoded.color.rawValue == raw)
        #expect(decoded.color.protoValueName == "\(raw)")
        #expect(decodedRepeated.color.map(\.rawValue) == [1, raw])
        #expect(decoded.unknownFields.isEmpty)
    }

    @Test("Known enum values have their schema names")
    func knownEnumValuesHaveNames() {
        #expect(TestColor.green.protoValueName == "TEST_COLOR_GREEN")
    }
}
