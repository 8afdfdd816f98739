import Foundation
import ModelGateTestSupport
import Testing

/// Model data collection and request logs through the real binary: what was
/// answered before SIGTERM is on disk after it, `service collected-data`
/// reads it back, and every scoring call logs one line (text or JSON) that
/// never holds a key.
@Suite("Data collection and request logs, end to end")
struct DataCollectionEndToEndTests {
    static let example = DeployEndToEndTests.example

    /// Every line of every collected file of `service`.
    static func collectedLines(_ server: ServerProcess, workspace: String, service: String) throws -> [String] {
        let root = server.dataDirectory + "/collected/\(workspace)/\(service)"
        guard let files = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] else { return [] }
        return try files.filter { $0.hasSuffix(".jsonl") }.flatMap {
            try String(contentsOfFile: root + "/" + $0, encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    @Test("Requests answered before SIGTERM are on disk after it; collected-data filters by version and time; request logs in JSON and text hold no key")
    func collectionSurvivesSigtermAndLogsAreClean() throws {
        // Given a JSON-logging server with the example deployed to AKS, key auth and data collection on
        let server = try ServerProcess(extraArguments: ["--log-format", "json"])
        let workspace = ["MODELGATE_WORKSPACE": "ml-prod"]
        #expect(try server.cli(["workspace", "create", "--name", "ml-prod", "--region", "westeurope"]).status == 0)
        #expect(try server.cli(["model", "register", "--name", "linreg", "--path", Self.example + "/model"], environment: workspace).status == 0)
        #expect(try server.cli(["compute", "attach", "aks", "--name", "aks-prod", "--cores", "4", "--memory-gb", "8"], environment: workspace).status == 0)
        let folder = try DeployEndToEndTests.Folder()
        let config = try String(contentsOfFile: Self.example + "/deploymentconfig.json", encoding: .utf8)
            .replacingOccurrences(of: #""storageEnabled": false"#, with: #""storageEnabled": true"#)
        let deploymentConfig = try folder.write("deploymentconfig.json", config)
        let deployed = try server.cli([
            "model", "deploy", "-n", "linreg", "-m", "linreg:1", "-ic", Self.example + "/inferenceconfig.json",
            "-dc", deploymentConfig, "-ct", "aks-prod",
        ], environment: workspace)
        #expect(deployed.status == 0, "\(deployed.stdout)\(deployed.stderr)")
        let keys = try DeployEndToEndTests.json(try server.cli(["service", "get-keys", "-n", "linreg", "-o", "json"], environment: workspace).stdout)
        let primary = try #require(keys["primaryKey"] as? String)
        let secondary = try #require(keys["secondaryKey"] as? String)

        // When 5 requests are answered (one of them refused by run()), then the server gets SIGTERM
        for index in 0..<4 {
            let run = try server.cli(["service", "run", "-n", "linreg", "-d", "{\"data\": [[\(index), 1, 2]]}"], environment: workspace)
            #expect(run.status == 0, "\(run.stderr)")
        }
        let bad = try server.cli(["service", "run", "-n", "linreg", "-d", #"{"data": [[1, 2]]}"#], environment: workspace)
        #expect(bad.status != 0)
        #expect(server.stop(signal: SIGTERM) == 0)

        // Then all 5 are on disk, with their status
        let lines = try Self.collectedLines(server, workspace: "ml-prod", service: "linreg")
        #expect(lines.count == 5, "\(lines)")
        let records = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(records.filter { $0["status"] as? String == "OK" }.count == 4)
        #expect(records.filter { $0["status"] as? String != "OK" }.count == 1)

        // And the JSON request log has one line per call, with its metadata and no key
        let jsonLog = server.log
        let scored = jsonLog.split(separator: "\n").compactMap { line -> [String: Any]? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["message"] as? String == "Scored request" ? object : nil
        }
        #expect(scored.count == 5, "\(jsonLog)")
        for line in scored {
            for key in ["time", "level", "label", "request.id", "service.name", "service.version", "replica.id", "status", "latency_us", "bytes.in", "bytes.out"] {
                #expect(line[key] != nil, "\(key) missing from \(line)")
            }
            #expect(line["service.name"] as? String == "ml-prod/linreg")
            #expect(line["level"] as? String == "info")
        }
        #expect(!jsonLog.contains(primary) && !jsonLog.contains(secondary))

        // When the server is back (text logs, the default) and reads them back
        try server.start()
        var read = try server.cli(["service", "collected-data", "-n", "linreg"], environment: workspace)
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.split(separator: "\n").count == 5)
        read = try server.cli(["service", "collected-data", "-n", "linreg", "--version", "default", "--since", "1h"], environment: workspace)
        #expect(read.stdout.split(separator: "\n").count == 5, "\(read.stderr)")
        read = try server.cli(["service", "collected-data", "-n", "linreg", "--version", "blue"], environment: workspace)
        #expect(read.status == 0 && read.stdout.isEmpty)
        read = try server.cli(["service", "collected-data", "-n", "linreg", "--since", "2999-01-01T00:00:00Z"], environment: workspace)
        #expect(read.status == 0 && read.stdout.isEmpty)
        read = try server.cli(["service", "collected-data", "-n", "linreg", "--since", "yesterday"], environment: workspace)
        #expect(read.status != 0 && read.stderr.contains("--since"))

        // And a scoring call logs its text line, without the key either
        var ran = false
        for _ in 0..<100 where !ran {
            // The service comes back in the background after the restart.
            ran = try server.cli(["service", "run", "-n", "linreg", "-d", #"{"data": [[1, 2, 3]]}"#], environment: workspace).status == 0
            if !ran { Thread.sleep(forTimeInterval: 0.2) }
        }
        #expect(ran)
        #expect(server.stop(signal: SIGTERM) == 0)
        let textLines = server.log.split(separator: "\n").filter { $0.contains("Scored request") && !$0.hasPrefix("{") }
        #expect(textLines.contains { $0.contains("service.name=ml-prod/linreg") && $0.contains("status=OK") }, "\(server.log)")
        #expect(!server.log.contains(primary) && !server.log.contains(secondary))
    }
}
