import ModelGateWire
import Testing

@Suite("Singular scalar fields")
struct ScalarFieldTests {
    /// One case per scalar type: a setter on ``AllScalars`` and the exact bytes
    /// the official encoders produce for it (key, then value).
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var set: @Sendable (inout AllScalars) -> Void
        var hex: String
        var testDescription: String { self.label }
    }

    static let cases: [Case] = [
        Case(label: "double 1.5", set: { $0.double = 1.5 }, hex: "09 000000000000f83f"),
        Case(label: "float -1", set: { $0.float = -1 }, hex: "15 000080bf"),
        Case(label: "int64 -1 (ten bytes)", set: { $0.int64 = -1 }, hex: "18 ffffffffffffffffff01"),
        Case(label: "int64 max", set: { $0.int64 = .max }, hex: "18 ffffffffffffffff7f"),
        Case(label: "uint64 max", set: { $0.uint64 = .max }, hex: "20 ffffffffffffffffff01"),
        Case(label: "int32 150", set: { $0.int32 = 150 }, hex: "28 9601"),
        Case(label: "int32 -1 sign-extended to ten bytes", set: { $0.int32 = -1 }, hex: "28 ffffffffffffffffff01"),
        Case(label: "int32 min sign-extended to ten bytes", set: { $0.int32 = .min }, hex: "28 80808080f8ffffffff01"),
        Case(label: "fixed64 1", set: { $0.fixed64 = 1 }, hex: "31 0100000000000000"),
        Case(label: "fixed32 max", set: { $0.fixed32 = .max }, hex: "3d ffffffff"),
        Case(label: "bool true", set: { $0.bool = true }, hex: "40 01"),
        Case(label: "string testing", set: { $0.string = "testing" }, hex: "4a 07 74657374696e67"),
        Case(label: "string non-ASCII", set: { $0.string = "Zürich-✓" }, hex: "4a 0b 5ac3bc72696368 2de29c93"),
        Case(label: "bytes 00 ff", set: { $0.bytes = [0x00, 0xFF] }, hex: "62 02 00ff"),
        Case(label: "uint32 max", set: { $0.uint32 = .max }, hex: "68 ffffffff0f"),
        Case(label: "enum known", set: { $0.color = .green }, hex: "70 02"),
        Case(label: "enum unknown 99", set: { $0.color = TestColor(rawValue: 99) }, hex: "70 63"),
        Case(label: "enum negative sign-extended", set: { $0.color = TestColor(rawValue: -1) }, hex: "70 ffffffffffffffffff01"),
        Case(label: "sfixed32 -2", set: { $0.sfixed32 = -2 }, hex: "7d feffffff"),
        Case(label: "sfixed64 -2", set: { $0.sfixed64 = -2 }, hex: "8101 feffffffffffffff"),
        Case(label: "sint32 -1", set: { $0.sint32 = -1 }, hex: "8801 01"),
        Case(label: "sint32 min", set: { $0.sint32 = .min }, hex: "8801 ffffffff0f"),
        Case(label: "sint64 -2", set: { $0.sint64 = -2 }, hex: "9001 03"),
        Case(label: "sint64 min", set: { $0.sint64 = .min }, hex: "9001 ffffffffffffffffff01"),
        Case(label: "double -0.0 is not the default", set: { $0.double = -0.0 }, hex: "09 0000000000000080"),
        Case(label: "float -0.0 is not the default", set: { $0.float = -0.0 }, hex: "15 00000080"),
    ]

    @Test("Each scalar type encodes as the official encoders do and decodes back", arguments: cases)
    func scalarEncodesExactly(_ testCase: Case) throws {
        // Given
        var message = AllScalars()
        testCase.set(&message)

        // When
        let bytes = message.encoded()

        // Then
        #expect(Hex.string(bytes) == Hex.string(Hex.bytes(testCase.hex)))
        let decoded = try AllScalars(decoding: bytes)
        #expect(decoded == message)
        #expect(decoded.encoded() == bytes)
    }

    @Test("proto3 defaults are omitted from the wire")
    func defaultsAreOmitted() {
        // Given a message whose every field holds its default
        let message = AllScalars()

        // Then nothing is written
        #expect(message.encoded().isEmpty)
        #expect(AllRepeated().encoded().isEmpty)
        #expect(Composite().encoded().isEmpty)
    }

    @Test("An int32 written as a five-byte varint decodes like the ten-byte form")
    func shortNegativeInt32Decodes() throws {
        // Some encoders (and int32 values from uint32 senders) use 5 bytes; the low 32 bits count.
        let decoded = try AllScalars(decoding: Hex.bytes("28 ffffffff0f"))
        #expect(decoded.int32 == -1)
        #expect(decoded.encoded() == Hex.bytes("28 ffffffffffffffffff01"))
    }

    @Test("A bool varint other than 1 reads as true")
    func nonCanonicalBoolIsTrue() throws {
        let decoded = try AllScalars(decoding: Hex.bytes("40 02"))
        #expect(decoded.bool)
    }

    @Test("Every field set at once round-trips in field-number order")
    func everyFieldRoundTrips() throws {
        // Given every case applied to one message
        var message = AllScalars()
        for testCase in Self.cases where !testCase.label.contains("-0.0") { testCase.set(&message) }

        // When
        let bytes = message.encoded()

        // Then the bytes are the concatenation in field-number order (each field set by its last case)
        let decoded = try AllScalars(decoding: bytes)
        #expect(decoded == message)
        var keys: [Int] = []
        var reader = ProtoReader(bytes: bytes)
        while let (number, wireType) = try reader.readKey() {
            keys.append(number)
            _ = try reader.skipField(fieldNumber: number, wireType: wireType, keyStart: reader.offset)
        }
        #expect(keys == AllScalars.fieldDescriptors.map(\.number))
    }
}
