import ModelGateWire
import Testing

@Suite("ZigZag sint32 and sint64")
struct ZigZagTests {
    /// The spec's table (protobuf.dev "Signed Integers") plus the extremes.
    static let sint32Cases: [(value: Int32, zigzag: UInt64)] = [
        (0, 0), (-1, 1), (1, 2), (-2, 3), (2, 4),
        (Int32.max, 4_294_967_294), (Int32.min, 4_294_967_295),
    ]

    static let sint64Cases: [(value: Int64, zigzag: UInt64)] = [
        (0, 0), (-1, 1), (1, 2), (-2, 3), (2, 4),
        (Int64(Int32.max), 4_294_967_294), (Int64(Int32.min), 4_294_967_295),
        (Int64.max, UInt64.max - 1), (Int64.min, UInt64.max),
    ]

    @Test("sint32 values zigzag-encode as the spec says", arguments: sint32Cases)
    func sint32ZigZags(value: Int32, zigzag: UInt64) throws {
        // Given
        var writer = ProtoWriter()

        // When
        ProtoSInt32.write(value, to: &writer)

        // Then
        var expected = ProtoWriter()
        expected.writeVarint(zigzag)
        #expect(writer.bytes == expected.bytes)
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try ProtoSInt32.read(from: &reader, fieldNumber: 1) == value)
    }

    @Test("sint64 values zigzag-encode as the spec says", arguments: sint64Cases)
    func sint64ZigZags(value: Int64, zigzag: UInt64) throws {
        var writer = ProtoWriter()
        ProtoSInt64.write(value, to: &writer)

        var expected = ProtoWriter()
        expected.writeVarint(zigzag)
        #expect(writer.bytes == expected.bytes)
        var reader = ProtoReader(bytes: writer.bytes)
        #expect(try ProtoSInt64.read(from: &reader, fieldNumber: 1) == value)
    }
}
