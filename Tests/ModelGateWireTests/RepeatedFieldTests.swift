import ModelGateWire
import Testing

@Suite("Repeated fields")
struct RepeatedFieldTests {
    @Test("Repeated numeric fields are written packed, as proto3 requires")
    func numericFieldsAreWrittenPacked() {
        // Given
        var message = AllRepeated()
        message.int32 = [1, -1, 300]
        message.fixed32 = [1, 2]
        message.sint64 = [-1, 1]
        message.bool = [true, false]
        message.color = [.red, TestColor(rawValue: 99)]

        // When
        let hex = Hex.string(message.encoded())

        // Then each is one length-delimited field holding the values back to back
        let expected = [
            "2a 0d 01 ffffffffffffffffff01 ac02",
            "3a 08 01000000 02000000",
            "42 02 01 00",
            "72 02 01 63",
            "9201 02 01 02",
        ].joined()
        #expect(hex == Hex.string(Hex.bytes(expected)))
    }

    @Test("Repeated strings and bytes are written one field per element")
    func lengthDelimitedElementsAreNotPacked() {
        var message = AllRepeated()
        message.string = ["a", "", "b"]
        message.bytes = [[0x00], []]
        #expect(Hex.string(message.encoded()) == Hex.string(Hex.bytes("4a 01 61 4a 00 4a 01 62 62 01 00 62 00")))
    }

    /// The same values in both encodings, per scalar type.
    static let packedAndUnpacked: [(label: String, packed: String, unpacked: String)] = [
        ("int32", "2a 03 01 96 01", "28 01 28 9601"),
        ("sint32", "8a01 02 01 02", "8801 01 8801 02"),
        ("fixed32", "3a 08 01000000 02000000", "3d 01000000 3d 02000000"),
        ("fixed64", "32 10 0100000000000000 0200000000000000", "31 0100000000000000 31 0200000000000000"),
        ("double", "0a 10 000000000000f03f 0000000000000040", "09 000000000000f03f 09 0000000000000040"),
        ("float", "12 08 0000803f 00000040", "15 0000803f 15 00000040"),
        ("bool", "42 02 01 00", "40 01 40 00"),
        ("enum", "72 02 01 63", "70 01 70 63"),
    ]

    @Test("A parser accepts packed and unpacked forms alike", arguments: packedAndUnpacked)
    func packedAndUnpackedDecodeAlike(label: String, packed: String, unpacked: String) throws {
        // When
        let fromPacked = try AllRepeated(decoding: Hex.bytes(packed))
        let fromUnpacked = try AllRepeated(decoding: Hex.bytes(unpacked))

        // Then
        #expect(fromPacked == fromUnpacked, "\(label)")
        #expect(fromPacked != AllRepeated(), "\(label)")
        #expect(fromUnpacked.encoded() == Hex.bytes(packed), "\(label): re-encoded packed")
    }

    @Test("Packed and unpacked runs of one field concatenate in arrival order")
    func mixedRunsConcatenate() throws {
        let decoded = try AllRepeated(decoding: Hex.bytes("28 01 2a 02 02 03 28 04 2a 00"))
        #expect(decoded.int32 == [1, 2, 3, 4])
    }

    @Test("A packed run that ends inside a value is truncated")
    func packedRunCutInsideValueIsRefused() {
        // fixed32 run of 6 bytes: one whole value and half of the next.
        let error = #expect(throws: WireError.self) { _ = try AllRepeated(decoding: Hex.bytes("3a 06 01000000 0200")) }
        #expect(error?.code == .truncated)
    }

    @Test("Repeated messages keep their order and their empty elements")
    func repeatedMessagesKeepOrder() throws {
        // Given
        var first = AllScalars()
        first.int32 = 1
        var message = Composite()
        message.children = [first, AllScalars(), first]

        // When
        let bytes = message.encoded()

        // Then
        #expect(Hex.string(bytes) == Hex.string(Hex.bytes("1a 02 2801 1a 00 1a 02 2801")))
        #expect(try Composite(decoding: bytes) == message)
    }
}
