import Foundation
import ModelGateAPI
import ModelGateClient
import ModelGateRPC
@testable import ModelGateServer
import Testing

/// Data collection over the wire: deploy with `collect_model_data`, score,
/// read back with GetCollectedData through the Swift client.
@Suite("Model data collection over the wire", .timeLimit(.minutes(2)))
struct DataCollectionEndToEndTests {
    static func aci(collect: Bool) -> DeploymentConfig {
        var config = DeploymentConfig()
        config.computeType = .aci
        config.collectModelData = collect
        return config
    }

    static func client(for server: RunningServer) async throws -> ModelGateClient {
        try await ModelGateClient.connect(
            to: ServerAddress(host: "127.0.0.1", port: server.port),
            credentials: Credentials(clientID: server.credentials.clientID, clientSecret: server.credentials.clientSecret)
        )
    }

    static func records(
        _ client: ModelGateClient, _ service: String, version: String? = nil, since: Date? = nil, limit: Int = 0
    ) async throws -> [CollectedRecord] {
        var records: [CollectedRecord] = []
        for try await record in client.collectedData(workspace: "prod", service: service, version: version, since: since, limit: limit) {
            records.append(record)
        }
        return records
    }

    static func json(_ record: CollectedRecord) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(record.json.utf8)) as? [String: Any])
    }

    @Test("Unary and stream requests and a failed one are collected and read back; a service without collection writes nothing")
    func collectsAndReadsBack() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            // Given an echo service collecting data, a raising one collecting data, and one not collecting
            let deployments = try await Deployments.prepare(server)
            try await deployments.deployAndWait("echo", archive: try Deployments.archive(script: "echo.py"), config: Self.aci(collect: true))
            try await deployments.deployAndWait("raising", archive: try Deployments.archive(script: "raising.py"), config: Self.aci(collect: true))
            try await deployments.deployAndWait("quiet", archive: try Deployments.archive(script: "echo.py"), config: Self.aci(collect: false))
            let started = Date()

            // When scored: 3 unary, 2 on a stream, one that fails, and some on the quiet service
            for index in 0..<3 { _ = try await deployments.score("echo", #"{"n": \#(index)}"#, key: nil) }
            let answers = try await server.client.bidirectional(
                ModelGateMethods.Scoring.scoreStream, metadata: [:], requestType: ScoreRequest.self, responseType: ScoreResponse.self
            ) { sender, responses in
                for index in 0..<2 {
                    var request = ScoreRequest()
                    request.workspace = "prod"
                    request.service = "echo"
                    request.requestID = "stream-\(index)"
                    request.body = Array("plain text \(index)".utf8)
                    try await sender.send(request)
                }
                try await sender.finish()
                var answers: [ScoreResponse] = []
                for try await response in responses { answers.append(response) }
                return answers
            }
            #expect(answers.count == 2 && answers.allSatisfy { $0.code == .ok })
            let failed = await statusCode { _ = try await deployments.score("raising", "boom", key: nil) }
            #expect(failed?.0 == .internal)
            _ = try await deployments.score("quiet", "\"hush\"", key: nil)

            // Then everything collected reads back, with its input and output
            let client = try await Self.client(for: server)
            defer { Task { await client.close() } }
            let echo = try await Self.records(client, "echo")
            #expect(echo.count == 5)
            #expect(Set(echo.map(\.requestID)).isSuperset(of: ["stream-0", "stream-1"]))
            #expect(echo.allSatisfy { $0.code == .ok && $0.httpStatus == 200 && !$0.replicaID.isEmpty })
            let unary = try echo.map(Self.json).filter { $0["input_encoding"] == nil }
            #expect(unary.count == 3)
            #expect(unary.allSatisfy { ($0["input"] as? [String: Any])?["n"] != nil && $0["workspace"] as? String == "prod" })
            let streamed = try #require(try echo.map(Self.json).first { $0["request_id"] as? String == "stream-1" })
            #expect(streamed["input_encoding"] as? String == "base64")
            #expect(streamed["input"] as? String == Data("plain text 1".utf8).base64EncodedString())
            #expect(streamed["output"] as? String == "plain text 1")

            let raising = try await Self.records(client, "raising")
            #expect(raising.map(\.code) == [.internal])
            #expect(try raising.map(Self.json).first?["status"] as? String == "INTERNAL")
            #expect(raising.first?.httpStatus == 500)

            // And filters: version, since, limit
            #expect(try await Self.records(client, "echo", version: "default").count == 5)
            #expect(try await Self.records(client, "echo", version: "blue").isEmpty)
            #expect(try await Self.records(client, "echo", since: started.addingTimeInterval(3600)).isEmpty)
            #expect(try await Self.records(client, "echo", since: started.addingTimeInterval(-60)).count == 5)
            #expect(try await Self.records(client, "echo", limit: 2).count == 2)

            // And the service without collection wrote nothing
            #expect(try await Self.records(client, "quiet").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: directory.path + "/collected/prod/quiet"))

            // And a service that never existed is NOT_FOUND
            let missing = await statusCode { _ = try await Self.records(client, "missing") }
            #expect(missing?.0 == .notFound)
        }
    }
}
