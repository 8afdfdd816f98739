import Foundation
import ModelGateAPI
import ModelGateTestSupport
import ModelGateWire
import Testing

/// Holds the Swift codec byte-compatible with the official protobuf library, using the
/// vectors `tools/conformance/generate.py` writes for every message in `proto/`.
@Suite("Conformance vectors")
struct ConformanceTests {
    static let cases = ["all_fields", "defaults", "unknown_fields"]

    /// The Swift type for a message name, from ``ModelGateSchema/messages``.
    static func swiftType(named name: String) -> (any ProtoMessage.Type)? {
        ModelGateSchema.messages.first { $0.protoName == name }
    }

    /// Decodes `bytes` as `type` and encodes the result again.
    static func reencode(_ bytes: [UInt8], as type: any ProtoMessage.Type) throws -> [UInt8] {
        func open<M: ProtoMessage>(_: M.Type) throws -> [UInt8] { try M(decoding: bytes).encoded() }
        return try open(type)
    }

    static func decode<M: ProtoMessage>(_: M.Type, _ message: String, _ testCase: String) throws -> M {
        let vectors = try ConformanceVector.all()
        let vector = try #require(vectors.first { $0.message == message && $0.case == testCase })
        return try M(decoding: vector.bytes())
    }

    @Test("Each vector decodes and re-encodes to exactly its bytes", arguments: try ConformanceVector.all())
    func vectorRoundTripsExactly(_ vector: ConformanceVector) throws {
        // Given
        let type = try #require(Self.swiftType(named: vector.message), "\(vector.message) is not in ModelGateSchema.messages")
        let bytes = try vector.bytes()

        // When
        let reencoded = try Self.reencode(bytes, as: type)

        // Then
        #expect(ConformanceVector.hexString(reencoded) == vector.hex, "\(vector)")
    }

    @Test("Every message in ModelGateSchema has all three vectors")
    func everyMessageHasVectors() throws {
        let vectors = try ConformanceVector.all()
        let present = Set(vectors.map { "\($0.message).\($0.case)" })
        for type in ModelGateSchema.messages {
            for testCase in Self.cases {
                #expect(present.contains("\(type.protoName).\(testCase)"),
                        "no \(testCase) vector for \(type.protoName): rerun tools/conformance/generate.py")
            }
        }
        #expect(vectors.count == 3 * Set(vectors.map(\.message)).count)
    }

    @Test("The official parser accepts the Swift re-encodings (check.py exits 0)")
    func officialParserAcceptsSwiftBytes() throws {
        // Given every vector re-encoded by Swift, written to a fresh directory
        let directory = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var written = 0
        for vector in try ConformanceVector.all() {
            guard let type = Self.swiftType(named: vector.message) else { continue }
            let reencoded = try Self.reencode(try vector.bytes(), as: type)
            try Data(reencoded).write(to: directory.appending(path: vector.file))
            written += 1
        }

        // When
        let result = try Self.runCheck(directory)

        // Then
        #expect(result.status == 0, "check.py failed:\n\(result.output)")
        #expect(result.output.contains("\(written) passed, 0 failed"), "\(result.output)")
    }

    @Test("check.py fails on a byte that differs from the vector")
    func checkerNoticesADifference() throws {
        // Given a CallHeaders re-encoding with a different timeout
        var headers = try Self.decode(CallHeaders.self, "modelgate.v1.CallHeaders", "all_fields")
        headers.timeoutMicros -= 1
        let directory = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(headers.encoded()).write(to: directory.appending(path: "modelgate.v1.CallHeaders.all_fields.bin"))

        // When
        let result = try Self.runCheck(directory, "--allow-missing")

        // Then
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("0 passed, 1 failed"), "\(result.output)")
    }

    @Test("CallHeaders decodes to the values generate.py set")
    func callHeadersValues() throws {
        let headers = try Self.decode(CallHeaders.self, "modelgate.v1.CallHeaders", "all_fields")
        #expect(headers.method == "method-Zürich-✓")
        #expect(headers.metadata == ["zeta-Zürich-✓": "metadata-value-Zürich-✓", "alpha-✓": ""])
        #expect(headers.requestID == "request_id-Zürich-✓")
        #expect(headers.timeoutMicros == UInt64.max - 4)
        #expect(headers.unknownFields.isEmpty)
    }

    @Test("Unknown fields from the vector are kept in arrival order")
    func unknownFieldsValues() throws {
        let goAway = try Self.decode(GoAway.self, "modelgate.v1.GoAway", "unknown_fields")
        // Fields 1000 (varint 150), 1001 (fixed64), 1002 (bytes), 1003 (fixed32), 1000 (varint 2^64-1).
        let expected = "c03e9601" + "c93e0102030405060708" + "d23e0d756e6b6e6f776e2de29c9300ff" + "dd3efeff0001" + "c03effffffffffffffffff01"
        #expect(ConformanceVector.hexString(goAway.unknownFields.bytes) == expected)
        #expect(goAway.message == "message-Zürich-✓")
    }

    @Test("Enum values: known ones decode by name, the unknown 99 is kept")
    func enumValues() throws {
        let goAway = try Self.decode(GoAway.self, "modelgate.v1.GoAway", "all_fields")
        #expect(goAway.lastStreamID == UInt32.max - 1)
        #expect(goAway.code.rawValue == 99)
        #expect(goAway.code.protoValueName == "99")
        let trailers = try Self.decode(Trailers.self, "modelgate.v1.Trailers", "all_fields")
        #expect(trailers.code == .unauthenticated)
        #expect(trailers.details.count == 2)
    }

    @Test("Repeated doubles and fixed64s keep -0.0, huge values and order")
    func latencyHistogramValues() throws {
        let histogram = try Self.decode(LatencyHistogram.self, "modelgate.v1.LatencyHistogram", "all_fields")
        #expect(histogram.boundsMs.map(\.bitPattern) == [-1.25, 1.5e300, -0.0].map(\.bitPattern))
        #expect(histogram.counts == [UInt64.max - 2, 1 << 63, 1])
        #expect(histogram.sumMs == -3.25)
        #expect(histogram.count == UInt64.max - 4)
    }

    static func makeTemporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appending(path: "modelgate-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func runCheck(_ directory: URL, _ extra: String...) throws -> ChildProcess.Result {
        let script = RepositoryLayout.conformance.appending(path: "check.py").path(percentEncoded: false)
        return try ChildProcess.run("python3", [script, directory.path(percentEncoded: false)] + extra)
    }
}
