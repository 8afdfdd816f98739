import Foundation
import ModelGateAPI
@testable import ModelGateClient
import ModelGateTestSupport
import Synchronization
import Testing

/// Deploying, following, scoring (unary and streaming), logs and keys through the Swift client, against a real server.
@Suite("ModelGateClient, deployments and scoring")
struct DeploymentClientTests {
    static let example = RepositoryLayout.root.appending(path: "examples/linear-regression").path

    /// Deploys the example (read with the Azure config readers) to AKS, key auth on by default, and waits for it.
    ///
    /// One replica, and requests may queue for a minute: a loaded test machine must not turn a
    /// queued request of the streaming test into RESOURCE_EXHAUSTED.
    static func deployExample(_ client: ModelGateClient, name: String) async throws -> [DeploymentProgress] {
        _ = try await client.registerModel(workspace: "ws1", name: "linreg", path: Self.example + "/model")
        _ = try await client.attachCompute(workspace: "ws1", name: "aks1", cpuCores: 2, memoryGB: 4)
        let inference = try AzureInferenceConfigFile.read(path: Self.example + "/inferenceconfig.json").pack().config
        let deployment = try AzureDeploymentConfigFile(
            data: Data(#"{"computeType": "aks", "computeTargetName": "aks1", "numReplicas": 1, "maxQueueWaitMs": 60000}"#.utf8),
            path: "aks.json", baseDirectory: Self.example
        ).config
        let accepted = try await client.deploy(
            workspace: "ws1", name: name, models: ["linreg:1"], inferenceConfig: inference, deploymentConfig: deployment)
        #expect(accepted.name == name)
        var events: [DeploymentProgress] = []
        for try await event in client.waitForDeployment(workspace: "ws1", name: name) {
            events.append(event)
        }
        return events
    }

    static func predictions(_ body: [UInt8]) throws -> [Double] {
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        return try #require(answer["predictions"] as? [Double])
    }

    @Test(
        "A deployment streams its progress to a final Healthy event, then scores unary and streaming with its key (plaintext and TLS)",
        arguments: [false, true])
    func deployFollowAndScore(overTLS: Bool) async throws {
        try await ModelClientTests.withClient(tls: overTLS) { client, _ in
            // When the example is deployed and followed
            let events = try await Self.deployExample(client, name: "linreg")

            // Then progress arrived in order and ended with one final Healthy event
            let final = try #require(events.last)
            #expect(final.final && final.state == .healthy)
            #expect(events.dropLast().allSatisfy { !$0.final })
            #expect(events.contains { $0.phase == .replicasReady })

            // And a unary call with the primary key predicts; without a key it is refused
            let keys = try await client.keys(workspace: "ws1", service: "linreg")
            let one = try await client.score(
                workspace: "ws1", service: "linreg", body: Array(#"{"data": [[0, 0, 0]]}"#.utf8), key: keys.primaryKey,
                timeout: .seconds(10))
            let intercept = try #require(try Self.predictions(one.body).first)
            #expect(abs(intercept - 3.997587535310768) < 1e-9)
            await #expect(throws: RPCError.self) {
                _ = try await client.score(workspace: "ws1", service: "linreg", body: Array("{}".utf8))
            }

            // And a stream of requests is answered request by request, in request order, a bad one failing alone
            var bodies = (0..<20).map { Array(#"{"data": [[\#($0), 0, 0]]}"#.utf8) }
            bodies.append(Array(#"{"data": [[1, 2]]}"#.utf8))
            let answers = try await client.score(workspace: "ws1", service: "linreg", bodies: bodies, key: keys.secondaryKey)
            #expect(answers.count == 21)
            for (index, answer) in answers.prefix(20).enumerated() {
                #expect(answer.code == .ok, "\(answer.message)")
                let value = try #require(try Self.predictions(answer.body).first)
                #expect(abs(value - (3.997587535310768 + 3.1982726259742638 * Double(index))) < 1e-9)
            }
            #expect(answers[20].code == .internal)
            #expect(answers[20].message.contains("ValueError"))
        }
    }

    @Test("10,000 requests on one ScoreStream call get 10,000 correct answers; a token-auth service scores with its token")
    func tenThousandStreamedAndTokenAuth() async throws {
        try await ModelClientTests.withClient { client, _ in
            _ = try await Self.deployExample(client, name: "linreg")
            let keys = try await client.keys(workspace: "ws1", service: "linreg")
            let count = 10_000
            let bodies = (0..<count).map { Array(#"{"data": [[\#($0 % 100), 1, 2]]}"#.utf8) }
            let answers = try await client.score(workspace: "ws1", service: "linreg", bodies: bodies, key: keys.primaryKey)
            #expect(answers.count == count)
            var wrong = 0
            for (index, answer) in answers.enumerated() {
                let expected = 3.997587535310768 + 3.1982726259742638 * Double(index % 100) - 1.500325654590615 + 0.6997004626055309 * 2
                guard answer.code == .ok, let value = try Self.predictions(answer.body).first, abs(value - expected) < 1e-9 else {
                    wrong += 1
                    continue
                }
            }
            #expect(wrong == 0)

            // Token auth: the same example on AKS with token auth; GetToken's JWT scores, a key does not.
            let inference = try AzureInferenceConfigFile.read(path: Self.example + "/inferenceconfig.json").pack().config
            let deployment = try AzureDeploymentConfigFile(
                data: Data(#"{"computeType": "aks", "computeTargetName": "aks1", "numReplicas": 1, "tokenAuthEnabled": true}"#.utf8),
                path: "token.json", baseDirectory: Self.example
            ).config
            _ = try await client.deploy(
                workspace: "ws1", name: "linreg-token", models: ["linreg:1"], inferenceConfig: inference, deploymentConfig: deployment)
            for try await _ in client.waitForDeployment(workspace: "ws1", name: "linreg-token") {}
            let token = try await client.serviceToken(workspace: "ws1", service: "linreg-token")
            #expect(token.tokenType == "Bearer" && token.refreshByUnixMs < token.expiresAtUnixMs)
            let scored = try await client.score(
                workspace: "ws1", service: "linreg-token", body: Array(#"{"data": [[0, 0, 0]]}"#.utf8), key: token.token)
            #expect(abs(try #require(try Self.predictions(scored.body).first) - 3.997587535310768) < 1e-9)
            do {
                _ = try await client.score(
                    workspace: "ws1", service: "linreg-token", body: Array(#"{"data": [[0, 0, 0]]}"#.utf8), key: keys.primaryKey)
                Issue.record("a key scored on a token-auth service")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
            }
        }
    }

    @Test("Services are listed, updated, logged, their keys rotated, and deleted")
    func manageService() async throws {
        try await ModelClientTests.withClient { client, _ in
            _ = try await Self.deployExample(client, name: "linreg")

            let listed = try await client.services(workspace: "ws1")
            #expect(listed.map(\.name) == ["linreg"])
            #expect(try await client.services(workspace: "ws1", modelName: "other").isEmpty)

            var change = DeploymentConfig()
            change.tags = ["stage": "prod"]
            let updated = try await client.updateService(workspace: "ws1", name: "linreg", updateMask: [], deploymentConfig: change)
            #expect(updated.deploymentConfig?.tags == ["stage": "prod"])
            for try await _ in client.waitForDeployment(workspace: "ws1", name: "linreg") {}

            var lines: [String] = []
            for try await line in client.logs(workspace: "ws1", service: "linreg", tail: 100) {
                lines.append(line.text)
            }
            #expect(lines.contains { $0.contains("linear-regression: loaded 3 coefficients") })

            let before = try await client.keys(workspace: "ws1", service: "linreg")
            let after = try await client.regenerateKey(workspace: "ws1", service: "linreg", key: .primary, value: "chosen-primary-key-of-enough-length-0123456789")
            #expect(after.primaryKey == "chosen-primary-key-of-enough-length-0123456789")
            #expect(after.secondaryKey == before.secondaryKey)

            try await client.deleteService(workspace: "ws1", name: "linreg")
            let code = await ModelClientTests.code { _ = try await client.service(workspace: "ws1", name: "linreg") }
            #expect(code == .notFound)
        }
    }

    @Test("A stale access token is replaced once on a streaming call, as on a unary one")
    func staleTokenIsReplacedOnStreams() async throws {
        try await ModelClientTests.withClient { client, _ in
            _ = try await Self.deployExample(client, name: "linreg")
            client.accessToken.withLock { $0 = "not-a-token" }
            var events: [DeploymentProgress] = []
            for try await event in client.waitForDeployment(workspace: "ws1", name: "linreg") {
                events.append(event)
            }
            #expect(events.last?.state == .healthy)
        }
    }
}
