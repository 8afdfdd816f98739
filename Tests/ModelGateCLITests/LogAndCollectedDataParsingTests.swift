import ArgumentParser
import Foundation
import Logging
import Testing

@testable import ModelGateCLI

/// `serve --log-format`, the JSON log handler's lines, and `service
/// collected-data`'s options, without running a server.
@Suite("Log format and collected-data options")
struct LogAndCollectedDataParsingTests {
    @Test("serve --log-format takes text or json, text by default")
    func logFormatParses() throws {
        #expect((try ModelGateCommand.parseAsRoot(["serve"]) as? Serve)?.logFormat == .text)
        #expect((try ModelGateCommand.parseAsRoot(["serve", "--log-format", "json"]) as? Serve)?.logFormat == .json)
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(["serve", "--log-format", "xml"]) }
    }

    @Test("A JSON log line has time, level, label, message and the metadata flattened; metadata cannot hide the fixed keys")
    func jsonLineShape() throws {
        // Given
        let metadata: Logger.Metadata = [
            "request.id": "r-1", "latency_us": .stringConvertible(42), "nested": ["a": "b"], "list": ["x", "y"],
            "message": "spoofed", "quote": "say \"hi\"\n",
        ]

        // When
        let line = JSONLogHandler.line(
            time: Date(timeIntervalSince1970: 1_795_305_599.5), level: .info, label: "modelgate", message: "Scored request",
            metadata: metadata)

        // Then
        #expect(line.hasSuffix("}\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["time"] as? String == "2026-11-21T23:59:59.500Z")
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "modelgate")
        #expect(object["message"] as? String == "Scored request")
        #expect(object["metadata.message"] as? String == "spoofed")
        #expect(object["request.id"] as? String == "r-1")
        #expect(object["latency_us"] as? String == "42")
        #expect(object["nested.a"] as? String == "b")
        #expect(object["list"] as? [String] == ["x", "y"])
        #expect(object["quote"] as? String == "say \"hi\"\n")
    }

    @Test("The handler writes one line per event through its descriptor, below its level nothing")
    func handlerWritesLines() throws {
        // Given a handler on a pipe
        let pipe = Pipe()
        var handler = JSONLogHandler(label: "test", descriptor: pipe.fileHandleForWriting.fileDescriptor)
        handler.metadata["server"] = "a"
        handler.logLevel = .info
        let logger = Logger(label: "test", factory: { _ in handler })

        // When
        logger.debug("hidden")
        logger.info("shown", metadata: ["k": "v"])
        try pipe.fileHandleForWriting.close()

        // Then
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["message"] as? String == "shown" && object["k"] as? String == "v" && object["server"] as? String == "a")
    }

    @Test("service collected-data takes a name, a version, --since and --limit")
    func collectedDataParses() throws {
        let command = try ModelGateCommand.parseAsRoot(
            ["service", "collected-data", "-n", "linreg", "--version", "blue", "--since", "15m", "--limit", "10", "-w", "ml"])
        let collected = try #require(command as? ServiceCommand.CollectedData)
        #expect(collected.name == "linreg" && collected.version == "blue" && collected.since == "15m" && collected.limit == 10)
    }

    @Test("--since is an age or an ISO-8601 time", arguments: [
        ("90s", 90.0), ("15m", 900.0), ("1h", 3600.0), ("2d", 172_800.0), ("0.5h", 1800.0),
    ])
    func sinceAges(_ text: String, seconds: Double) throws {
        let now = Date(timeIntervalSince1970: 1_795_305_600)
        #expect(ServiceCommand.CollectedData.parseSince(text, now: now) == now.addingTimeInterval(-seconds))
    }

    @Test("--since takes ISO-8601 with or without fractions, and refuses anything else")
    func sinceTimes() throws {
        let now = Date()
        #expect(ServiceCommand.CollectedData.parseSince("2026-11-21T09:00:00Z", now: now) == Date(timeIntervalSince1970: 1_795_251_600))
        #expect(ServiceCommand.CollectedData.parseSince("2026-11-21T09:00:00.250Z", now: now) == Date(timeIntervalSince1970: 1_795_251_600.25))
        for bad in ["yesterday", "1w", "-1h", "", "h"] {
            #expect(ServiceCommand.CollectedData.parseSince(bad, now: now) == nil, "\(bad)")
        }
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(["service", "collected-data", "-n", "x", "--since", "soon"]) }
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(["service", "collected-data", "-n", "x", "--limit", "0"]) }
    }
}
