import ModelGateWire
import Testing

@Suite("Fixed-width and floating-point values")
struct FixedWidthTests {
    static let fixed32Cases: [(value: UInt32, hex: String)] = [
        (0, "00000000"), (1, "01000000"), (0x1234_5678, "78563412"), (UInt32.max, "ffffffff"),
    ]

    @Test("fixed32 is four little-endian bytes", arguments: fixed32Cases)
    func fixed32IsLittleEndian(value: UInt32, hex: String) throws {
        var writer = ProtoWriter()
        ProtoFixed32.write(value, to: &writer)
        #expect(Hex.string(writer.bytes) == hex)
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try ProtoFixed32.read(from: &reader, fieldNumber: 1) == value)
    }

    static let fixed64Cases: [(value: UInt64, hex: String)] = [
        (0, "0000000000000000"), (1, "0100000000000000"),
        (0x0102_0304_0506_0708, "0807060504030201"), (UInt64.max, "ffffffffffffffff"),
    ]

    @Test("fixed64 is eight little-endian bytes", arguments: fixed64Cases)
    func fixed64IsLittleEndian(value: UInt64, hex: String) throws {
        var writer = ProtoWriter()
        ProtoFixed64.write(value, to: &writer)
        #expect(Hex.string(writer.bytes) == hex)
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try ProtoFixed64.read(from: &reader, fieldNumber: 1) == value)
    }

    static let sfixedCases: [(value: Int64, hex: String)] = [
        (-1, "ffffffffffffffff"), (-2, "feffffffffffffff"), (Int64.min, "0000000000000080"),
    ]

    @Test("sfixed64 is the two's complement in eight little-endian bytes", arguments: sfixedCases)
    func sfixed64IsTwosComplement(value: Int64, hex: String) throws {
        var writer = ProtoWriter()
        ProtoSFixed64.write(value, to: &writer)
        #expect(Hex.string(writer.bytes) == hex)
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try ProtoSFixed64.read(from: &reader, fieldNumber: 1) == value)
    }

    @Test("sfixed32 -1 is ffffffff")
    func sfixed32MinusOne() throws {
        var writer = ProtoWriter()
        ProtoSFixed32.write(-1, to: &writer)
        #expect(Hex.string(writer.bytes) == "ffffffff")
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try ProtoSFixed32.read(from: &reader, fieldNumber: 1) == -1)
    }

    static let doubleCases: [(value: Double, hex: String)] = [
        (1.0, "000000000000f03f"), (-2.5, "00000000000004c0"), (-0.0, "0000000000000080"),
        (.infinity, "000000000000f07f"), (.leastNonzeroMagnitude, "0100000000000000"),
    ]

    @Test("double is its IEEE 754 bits, little-endian", arguments: doubleCases)
    func doubleIsIEEEBits(value: Double, hex: String) throws {
        var writer = ProtoWriter()
        ProtoDouble.write(value, to: &writer)
        #expect(Hex.string(writer.bytes) == hex)
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try ProtoDouble.read(from: &reader, fieldNumber: 1).bitPattern == value.bitPattern)
    }

    static let floatCases: [(value: Float, hex: String)] = [
        (1.0, "0000803f"), (-2.5, "000020c0"), (-0.0, "00000080"), (.infinity, "0000807f"),
    ]

    @Test("float is its IEEE 754 bits, little-endian", arguments: floatCases)
    func floatIsIEEEBits(value: Float, hex: String) throws {
        var writer = ProtoWriter()
        ProtoFloat.write(value, to: &writer)
        #expect(Hex.string(writer.bytes) == hex)
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try ProtoFloat.read(from: &reader, fieldNumber: 1).bitPattern == value.bitPattern)
    }

    @Test("A NaN payload survives a round trip bit for bit")
    func nanPayloadSurvives() throws {
        let nan = Double(bitPattern: 0x7FF8_0000_DEAD_BEEF)
        var message = AllScalars()
        message.double = nan
        let decoded = try AllScalars(decoding: message.encoded())
        #expect(decoded.double.bitPattern == nan.bitPattern)
    }

    @Test("Fixed-width values cut off by the end of input are truncated", arguments: [
        (WireType.fixed32, "010203"), (WireType.fixed64, "01020304050607"),
    ])
    func truncatedFixedIsRefused(wireType: WireType, hex: String) {
        var reader = ProtoReader(bytes: Hex.bytes(hex))
        let error = #expect(throws: WireError.self) {
            if wireType == .fixed32 { _ = try reader.readFixed32() } else { _ = try reader.readFixed64() }
        }
        #expect(error?.code == .truncated)
    }
}
