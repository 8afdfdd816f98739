import ModelGateWire
import Testing

@Suite("Merging repeated occurrences of a field")
struct MergeTests {
    @Test("The last occurrence of a singular scalar wins", arguments: [
        ("int32", "28 01 28 02 28 03"),
        ("string", "4a 01 61 4a 01 62 4a 01 63"),
        ("fixed64", "31 0100000000000000 31 0200000000000000 31 0300000000000000"),
        ("enum", "70 01 70 63 70 03"),
    ])
    func lastScalarWins(label: String, hex: String) throws {
        let decoded = try AllScalars(decoding: Hex.bytes(hex))
        var expected = AllScalars()
        switch label {
        case "int32": expected.int32 = 3
        case "string": expected.string = "c"
        case "fixed64": expected.fixed64 = 3
        default: expected.color = TestColor(rawValue: 3)
        }
        #expect(decoded == expected, "\(label)")
    }

    @Test("A later default value overrides an earlier value")
    func laterDefaultOverrides() throws {
        // Writers never send a default, but if one arrives it still wins.
        let decoded = try AllScalars(decoding: Hex.bytes("28 05 28 00"))
        #expect(decoded.int32 == 0)
        #expect(decoded.encoded().isEmpty)
    }

    @Test("Two occurrences of a singular message merge field by field")
    func singularMessagesMerge() throws {
        // Given child { int32: 1, string: "a" } then child { string: "b", bool: true }
        let bytes = Hex.bytes("12 05 2801 4a0161" + "12 05 4a0162 4001")

        // When
        let decoded = try Composite(decoding: bytes)

        // Then
        var child = AllScalars()
        child.int32 = 1
        child.string = "b"
        child.bool = true
        #expect(decoded.child == child)
    }

    @Test("An empty sub-message is present, not absent")
    func emptySubMessageIsPresent() throws {
        let decoded = try Composite(decoding: Hex.bytes("12 00"))
        #expect(decoded.child == AllScalars())
        #expect(decoded.encoded() == Hex.bytes("12 00"))
    }

    @Test("Repeated occurrences of repeated fields append")
    func repeatedFieldsAppend() throws {
        let decoded = try Composite(decoding: Hex.bytes("1a 02 2801 0a 01 78 1a 02 2802"))
        #expect(decoded.children.map(\.int32) == [1, 2])
        #expect(decoded.name == "x")
    }

    @Test("Merging two encodings equals decoding their concatenation")
    func concatenationIsMerge() throws {
        // Given
        var first = Composite()
        first.name = "first"
        first.count = 1
        first.labels = ["a": "1", "b": "2"]
        first.child = { var c = AllScalars(); c.int64 = 7; return c }()
        var second = Composite()
        second.count = 2
        second.labels = ["b": "3"]
        second.child = { var c = AllScalars(); c.string = "s"; return c }()

        // When
        let merged = try Composite(decoding: first.encoded() + second.encoded())

        // Then
        #expect(merged.name == "first")
        #expect(merged.count == 2)
        #expect(merged.labels == ["a": "1", "b": "3"])
        #expect(merged.child?.int64 == 7)
        #expect(merged.child?.string == "s")
    }
}
