import Foundation
import Logging
import ModelGateAPI
@testable import ModelGateServer
import Testing

/// The collector on its own: the bounded buffer and its drop count, the file
/// layout per version and UTC day, the JSON record, and reading back.
@Suite("Model data collection", .timeLimit(.minutes(1)))
struct DataCollectorTests {
    /// 2026-11-21T23:59:59.500Z and half a second later, the next UTC day.
    static let lateOnDay1: Int64 = 1_795_305_599_500
    static let earlyOnDay2: Int64 = 1_795_305_600_000

    static func record(
        _ id: String, at time: Int64 = lateOnDay1, version: String = "", input: String = #"{"data": [1, 2]}"#,
        output: String = "[3]", code: StatusCode = .ok
    ) -> ModelDataRecord {
        ModelDataRecord(
            timeUnixMs: time, requestID: id, workspace: "prod", service: "iris", version: version, replicaID: "r-1",
            code: code, httpStatus: code == .ok ? 200 : 500, latencyMicros: 1234,
            input: .bytes(Array(input.utf8)), output: .bytes(Array(output.utf8))
        )
    }

    static func lines(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Runs `body` with a collector over a temporary folder, then finishes it and waits for its writer.
    static func withCollector(
        configure: (inout DataCollector.Configuration) -> Void = { _ in },
        startWriter: Bool = true,
        _ body: (DataCollector, String) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        var configuration = DataCollector.Configuration()
        configure(&configuration)
        let collector = DataCollector(root: directory.path + "/collected", configuration: configuration, logger: quietLogger)
        let root = collector.root
        if startWriter {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await collector.run() }
                try await body(collector, root)
                collector.finish()
                try await group.waitForAll()
            }
        } else {
            try await body(collector, root)
        }
    }

    @Test("The record is one JSON line with the documented keys; a JSON body is embedded, another is base64")
    func recordShape() throws {
        // Given a JSON input with a line break and a non-JSON output
        var record = Self.record("req-1", input: "{\"data\":\n [1, 2]}", output: "not json")
        record.version = "blue"

        // When
        let line = record.jsonLine()

        // Then
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(Set(object.keys) == [
            "time", "request_id", "workspace", "service", "version", "replica", "status", "http_status", "latency_us",
            "input", "output", "output_encoding",
        ])
        #expect(object["time"] as? String == "2026-11-21T23:59:59.500Z")
        #expect(object["request_id"] as? String == "req-1")
        #expect(object["version"] as? String == "blue")
        #expect(object["status"] as? String == "OK")
        #expect(object["http_status"] as? Int == 200)
        #expect(object["latency_us"] as? Int == 1234)
        #expect((object["input"] as? [String: Any])?["data"] as? [Int] == [1, 2])
        #expect(object["output"] as? String == Data("not json".utf8).base64EncodedString())
        #expect(object["output_encoding"] as? String == "base64")
    }

    @Test("A body over the size limit is kept as its size only")
    func oversizedBodyIsOmitted() throws {
        let body = ModelDataRecord.Body(Array(repeating: UInt8(ascii: "a"), count: 11), limit: 10)
        #expect(body == .omitted(byteCount: 11))
        var record = Self.record("big")
        record.input = body
        let object = try #require(try JSONSerialization.jsonObject(with: Data(record.jsonLine())) as? [String: Any])
        #expect(object["input"] is NSNull)
        #expect(object["input_encoding"] as? String == "omitted")
        #expect(object["input_bytes"] as? Int == 11)
    }

    @Test("Strings with quotes, backslashes and control characters stay valid JSON")
    func stringsAreEscaped() throws {
        let record = Self.record("a\"b\\c\nd\u{1}e")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(record.jsonLine())) as? [String: Any])
        #expect(object["request_id"] as? String == "a\"b\\c\nd\u{1}e")
    }

    @Test("A full buffer drops records and counts them, by records and by bytes")
    func fullBufferDropsAndCounts() async throws {
        // Given a buffer of 3 records and no writer draining it
        try await Self.withCollector(configure: { $0.maxBufferedRecords = 3 }, startWriter: false) { collector, _ in
            // When 5 are recorded
            let accepted = (0..<5).map { collector.record(Self.record("r\($0)")) }

            // Then the last 2 are dropped and counted
            #expect(accepted == [true, true, true, false, false])
            #expect(collector.counts.dropped == 2)
        }
        try await Self.withCollector(configure: { $0.maxBufferedBytes = 1300 }, startWriter: false) { collector, _ in
            let large = Self.record("large", input: "\"" + String(repeating: "x", count: 900) + "\"")
            #expect(collector.record(large))
            #expect(collector.record(Self.record("small")) == false)
            #expect(collector.counts.dropped == 1)
        }
    }

    @Test("Records land in <workspace>/<service>/<version or default>/<UTC day>.jsonl, in order, and a finished collector has written all")
    func filesPerVersionAndDay() async throws {
        try await Self.withCollector { collector, root in
            // Given records on two UTC days, for a web service and for version "blue"
            collector.record(Self.record("a", at: Self.lateOnDay1))
            collector.record(Self.record("b", at: Self.lateOnDay1, version: "blue"))
            collector.record(Self.record("c", at: Self.earlyOnDay2))
            collector.record(Self.record("d", at: Self.earlyOnDay2 + 1))

            // When flushed
            await collector.flush()

            // Then
            let day1 = try Self.lines(root + "/prod/iris/default/2026-11-21.jsonl")
            let day2 = try Self.lines(root + "/prod/iris/default/2026-11-22.jsonl")
            let blue = try Self.lines(root + "/prod/iris/blue/2026-11-21.jsonl")
            #expect(day1.map { $0["request_id"] as? String } == ["a"])
            #expect(day2.map { $0["request_id"] as? String } == ["c", "d"])
            #expect(blue.map { $0["request_id"] as? String } == ["b"])
            #expect(collector.counts == DataCollector.Counts(written: 4, dropped: 0, failed: 0))

            // And a late record of the earlier day still goes to that day's file
            collector.record(Self.record("late", at: Self.lateOnDay1 + 1))
            await collector.flush()
            #expect(try Self.lines(root + "/prod/iris/default/2026-11-21.jsonl").count == 2)
        }
    }

    @Test("What was recorded before finish() is on disk when run() returns; later records are dropped")
    func finishWritesEverything() async throws {
        let directory = try TemporaryDirectory()
        let collector = DataCollector(root: directory.path, logger: quietLogger)
        // Given records queued before the writer ever ran
        for index in 0..<500 { collector.record(Self.record("r\(index)")) }

        // When the collector finishes, then its writer runs
        collector.finish()
        await collector.run()

        // Then
        #expect(try Self.lines(directory.path + "/prod/iris/default/2026-11-21.jsonl").count == 500)
        #expect(collector.record(Self.record("after")) == false)
        #expect(collector.counts.written == 500 && collector.counts.dropped == 1)
    }

    @Test("Reading back filters by version, time and limit, oldest first")
    func readerFilters() async throws {
        try await Self.withCollector { collector, root in
            collector.record(Self.record("a", at: Self.lateOnDay1))
            collector.record(Self.record("b", at: Self.lateOnDay1, version: "blue", code: .internal))
            collector.record(Self.record("c", at: Self.earlyOnDay2))
            collector.record(Self.record("d", at: Self.earlyOnDay2 + 5))
            await collector.flush()
            let reader = CollectedDataReader(root: root)

            func ids(_ query: CollectedDataReader.Query) throws -> [String] {
                try reader.files(for: query).flatMap { try reader.records(inFile: $0, since: query.sinceUnixMs, limit: query.limit) }
                    .map(\.requestID)
            }
            var query = CollectedDataReader.Query(workspace: "prod", service: "iris")
            #expect(try ids(query) == ["b", "a", "c", "d"])
            query.versionSegment = "default"
            #expect(try ids(query) == ["a", "c", "d"])
            query.sinceUnixMs = Self.earlyOnDay2 + 1
            #expect(try ids(query) == ["d"])
            query.sinceUnixMs = 0
            query.versionSegment = "blue"
            let blue = try reader.files(for: query).flatMap { try reader.records(inFile: $0, since: 0, limit: 0) }
            #expect(blue.map(\.code) == [.internal])
            #expect(blue.first?.httpStatus == 500 && blue.first?.latencyMicros == 1234 && blue.first?.replicaID == "r-1")
            #expect(blue.first?.timeUnixMs == Self.lateOnDay1)
            #expect(reader.hasData(workspace: "prod", service: "iris"))
            #expect(reader.hasData(workspace: "prod", service: "other") == false)
        }
    }

    @Test("Times parse back from the form they are written in", arguments: [0, 1_795_305_599_500, 1_795_305_600_000, 951_782_400_123])
    func timeRoundTrips(_ unixMs: Int64) {
        #expect(CollectedDataReader.unixMs(iso8601: ModelDataRecord.iso8601(unixMs: unixMs)) == unixMs)
    }

    @Test("A name cannot climb out of the collected folder")
    func segmentsStayInside() {
        #expect(CollectedDataFiles.segment("../etc") == "_.._etc")
        #expect(CollectedDataFiles.segment("") == "_")
        #expect(CollectedDataFiles.segment("iris") == "iris")
    }
}

/// The JSON check that decides whether a body is embedded or base64.
@Suite("JSON syntax check")
struct JSONSyntaxTests {
    @Test("JSON values are recognised", arguments: [
        #"{"data": [[1.0, 2e-3, -0.5E+2]], "a": {"b": null, "c": [true, false]}}"#, "[]", "{}", "\"x\\u00e9\\n\"", "0", "-12.5",
        " \n[1,\n 2]\t", "\"日本語\"",
    ])
    func acceptsJSON(_ text: String) {
        #expect(JSONSyntax.isValid(Array(text.utf8)))
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil)
    }

    @Test("Anything else is not", arguments: [
        "", " ", "plain text", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "\"unterminated", "\"bad \\x escape\"",
        "tru", "nulls", "[1] [2]", "\"tab\tinside\"", "{'a': 1}", "NaN",
    ])
    func refusesOthers(_ text: String) {
        #expect(!JSONSyntax.isValid(Array(text.utf8)))
    }

    @Test("Nesting beyond the depth limit counts as not JSON, without exhausting the stack")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(!JSONSyntax.isValid(Array(deep.utf8)))
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONSyntax.isValid(Array(fine.utf8)))
    }
}
