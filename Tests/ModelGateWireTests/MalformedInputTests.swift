import ModelGateWire
import Testing

@Suite("Malformed input is refused with a WireError, never a trap")
struct MalformedInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var hex: String
        var code: WireError.Code
        var testDescription: String { self.label }
    }

    static let lengthOverruns: [Case] = [
        Case(label: "string claims 5 bytes, has 2", hex: "4a 05 6162", code: .lengthOverrun),
        Case(label: "bytes claims 1 byte, has 0", hex: "62 01", code: .lengthOverrun),
        Case(label: "length UInt64.max", hex: "62 ffffffffffffffffff01", code: .lengthOverrun),
        Case(label: "length 2^31 (would overflow Int32 offsets)", hex: "62 8080808008", code: .lengthOverrun),
        Case(label: "unknown length-delimited field runs past the end", hex: "a2 06 03 61", code: .lengthOverrun),
        Case(label: "packed field runs past the end", hex: "2a 04 01 02", code: .lengthOverrun),
    ]

    @Test("A length-delimited field longer than what is left is lengthOverrun", arguments: lengthOverruns)
    func lengthOverrunIsRefused(_ testCase: Case) {
        let bytes = Hex.bytes(testCase.hex)
        let error = #expect(throws: WireError.self) {
            if testCase.label.contains("packed") {
                _ = try AllRepeated(decoding: bytes)
            } else {
                _ = try AllScalars(decoding: bytes)
            }
        }
        #expect(error?.code == testCase.code)
    }

    @Test("A sub-message longer than its parent is lengthOverrun, even when the input has the bytes")
    func subMessageOverrunningParentIsRefused() {
        // Composite.child (2) holds 3 bytes: an AllScalars.string (9) claiming 2 bytes, but only 1 is inside
        // the child; the parent's remaining bytes must not be borrowed.
        let bytes = Hex.bytes("12 03 4a 02 61  0a 01 62")
        let error = #expect(throws: WireError.self) { _ = try Composite(decoding: bytes) }
        #expect(error?.code == .lengthOverrun)
    }

    static let invalidUTF8: [Case] = [
        Case(label: "lone continuation byte", hex: "4a 01 80", code: .invalidUTF8),
        Case(label: "0xff", hex: "4a 01 ff", code: .invalidUTF8),
        Case(label: "truncated two-byte sequence", hex: "4a 02 61c3", code: .invalidUTF8),
        Case(label: "overlong encoding of '/'", hex: "4a 02 c0af", code: .invalidUTF8),
        Case(label: "UTF-16 surrogate U+D800", hex: "4a 03 eda080", code: .invalidUTF8),
        Case(label: "above U+10FFFF", hex: "4a 04 f4908080", code: .invalidUTF8),
    ]

    @Test("A string field holding invalid UTF-8 is invalidUTF8", arguments: invalidUTF8)
    func invalidUTF8IsRefused(_ testCase: Case) {
        let error = #expect(throws: WireError.self) { _ = try AllScalars(decoding: Hex.bytes(testCase.hex)) }
        #expect(error?.code == .invalidUTF8)
    }

    @Test("Invalid UTF-8 is refused in repeated strings and map keys and values", arguments: [
        ("repeated string", "4a 01 ff"),
        ("map key", "22 03 0a 01 ff"),
        ("map value", "22 03 12 01 ff"),
    ])
    func invalidUTF8IsRefusedEverywhere(label: String, hex: String) {
        let bytes = Hex.bytes(hex)
        let error = #expect(throws: WireError.self, "\(label)") {
            if label == "repeated string" { _ = try AllRepeated(decoding: bytes) } else { _ = try Composite(decoding: bytes) }
        }
        #expect(error?.code == .invalidUTF8, "\(label)")
    }

    @Test("Bytes fields accept any bytes, including invalid UTF-8")
    func bytesAcceptAnything() throws {
        let decoded = try AllScalars(decoding: Hex.bytes("62 03 ff00c0"))
        #expect(decoded.bytes == [0xFF, 0x00, 0xC0])
    }

    static let wrongWireTypes: [Case] = [
        Case(label: "int32 as length-delimited", hex: "2a 01 00", code: .wrongWireType),
        Case(label: "int32 as fixed32", hex: "2d 01000000", code: .wrongWireType),
        Case(label: "string as varint", hex: "48 01", code: .wrongWireType),
        Case(label: "bytes as fixed64", hex: "61 0000000000000000", code: .wrongWireType),
        Case(label: "fixed32 as varint", hex: "38 01", code: .wrongWireType),
        Case(label: "fixed64 as fixed32", hex: "35 00000000", code: .wrongWireType),
        Case(label: "double as fixed32", hex: "0d 00000000", code: .wrongWireType),
        Case(label: "float as fixed64", hex: "11 0000000000000000", code: .wrongWireType),
        Case(label: "bool as length-delimited", hex: "42 01 01", code: .wrongWireType),
        Case(label: "enum as fixed32", hex: "75 01000000", code: .wrongWireType),
    ]

    @Test("A known scalar field with the wrong wire type is wrongWireType", arguments: wrongWireTypes)
    func wrongWireTypeIsRefused(_ testCase: Case) {
        let error = #expect(throws: WireError.self) { _ = try AllScalars(decoding: Hex.bytes(testCase.hex)) }
        #expect(error?.code == .wrongWireType)
    }

    @Test("Structured fields with the wrong wire type are wrongWireType", arguments: [
        ("message as varint", "10 01"),
        ("repeated message as fixed32", "1d 00000000"),
        ("map as varint", "20 01"),
        ("map entry key as varint", "22 02 08 01"),
        ("map entry value as fixed32", "22 05 15 00000000"),
    ])
    func structuredWrongWireTypeIsRefused(label: String, hex: String) {
        let error = #expect(throws: WireError.self, "\(label)") { _ = try Composite(decoding: Hex.bytes(hex)) }
        #expect(error?.code == .wrongWireType, "\(label)")
    }

    @Test("Repeated fields with a wire type that is neither packed nor the element's are wrongWireType", arguments: [
        ("repeated string as varint", "48 01"),
        ("repeated fixed32 as varint", "38 01"),
        ("repeated int32 as fixed64", "29 0000000000000000"),
    ])
    func repeatedWrongWireTypeIsRefused(label: String, hex: String) {
        let error = #expect(throws: WireError.self, "\(label)") { _ = try AllRepeated(decoding: Hex.bytes(hex)) }
        #expect(error?.code == .wrongWireType, "\(label)")
    }

    @Test("Groups are refused, for known and unknown field numbers", arguments: [
        ("start group on a known field", "2b 2c"),
        ("start group on an unknown field", "a3 06 a4 06"),
        ("end group alone", "a4 06"),
        ("wire type 6", "a6 06"),
        ("wire type 7", "a7 06"),
    ])
    func groupsAreRefused(label: String, hex: String) {
        let error = #expect(throws: WireError.self, "\(label)") { _ = try AllScalars(decoding: Hex.bytes(hex)) }
        #expect(error?.code == .invalidWireType, "\(label)")
    }

    @Test("Field number 0 and numbers above 2^29-1 are refused", arguments: [
        ("field 0 varint", "00 01"),
        ("field 0 length-delimited", "02 00"),
        ("field 2^29", "8080808010 00"),
        ("field 2^32 (key above 32 bits)", "80808080800100"),
    ])
    func invalidFieldNumbersAreRefused(label: String, hex: String) {
        let error = #expect(throws: WireError.self, "\(label)") { _ = try AllScalars(decoding: Hex.bytes(hex)) }
        #expect(error?.code == .invalidFieldNumber, "\(label)")
    }

    @Test("The largest field number, 2^29-1, is accepted as unknown")
    func largestFieldNumberIsAccepted() throws {
        let bytes = Hex.bytes("f8ffffff0f 01")
        let decoded = try AllScalars(decoding: bytes)
        #expect(decoded.unknownFields.bytes == bytes)
    }

    @Test("A message cut off inside a field is truncated", arguments: [
        "28", "28 80", "09 00000000", "15 0000", "4a",
    ])
    func truncatedMessageIsRefused(hex: String) {
        let error = #expect(throws: WireError.self) { _ = try AllScalars(decoding: Hex.bytes(hex)) }
        #expect(error?.code == .truncated)
    }

    @Test("Sub-messages nested up to 100 deep are accepted, as in the official parsers", arguments: [0, 1, 99, 100])
    func nestingUpToTheLimitIsAccepted(depth: Int) throws {
        // Given a chain of `depth` messages below the top-level one
        let bytes = TreeNode.chain(nestedDepth: depth).encoded()

        // When
        let decoded = try TreeNode(decoding: bytes)

        // Then
        #expect(decoded.encoded() == bytes)
        var node = decoded
        var levels = 0
        while let child = node.children.first {
            node = child
            levels += 1
        }
        #expect(levels == depth)
    }

    @Test("Sub-messages nested deeper than 100 are refused as nestingTooDeep", arguments: [101, 102, 5_000])
    func nestingPastTheLimitIsRefused(depth: Int) {
        let bytes = TreeNode.chain(nestedDepth: depth).encoded()
        let error = #expect(throws: WireError.self) { _ = try TreeNode(decoding: bytes) }
        #expect(error?.code == .nestingTooDeep)
    }

    @Test("Random garbage never traps", arguments: 0..<64)
    func garbageNeverTraps(seed: Int) {
        // A tiny deterministic generator: the point is variety of prefixes, keys and lengths.
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes: [UInt8] = []
        for _ in 0..<(seed * 3 % 97) {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes.append(UInt8(truncatingIfNeeded: state))
        }
        _ = try? Composite(decoding: bytes)
        _ = try? AllScalars(decoding: bytes)
        _ = try? AllRepeated(decoding: bytes)
        _ = try? TreeNode(decoding: bytes)
    }
}
