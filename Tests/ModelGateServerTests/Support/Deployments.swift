import Foundation
import ModelGateAPI
import ModelGateClient
import ModelGateRPC
@testable import ModelGateServer
import Testing

/// Deploying over the wire in tests: source archives packed with the system
/// `tar`, Deploy + WaitForDeployment, keys and scoring calls.
struct Deployments: Sendable {
    let server: RunningServer
    let auth: [String: String]
    let workspace: String

    /// Signs in and creates a workspace.
    static func prepare(_ server: RunningServer, workspace: String = "prod") async throws -> Deployments {
        let auth = try await server.signIn()
        _ = try await server.createWorkspace(workspace, metadata: auth)
        return Deployments(server: server, auth: auth, workspace: workspace)
    }

    /// `examples/linear-regression`.
    static var example: URL { ExampleModelTests.exampleDirectory }

    /// A gzip tar of `directory`'s contents.
    static func archive(of directory: String) throws -> [UInt8] {
        let output = try TemporaryDirectory()
        let path = output.path + "/source.tar.gz"
        let tar = Process()
        tar.executableURL = URL(filePath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", path, "-C", directory, "--exclude=__pycache__", "."]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        return Array(try Data(contentsOf: URL(filePath: path)))
    }

    /// A gzip tar with one `score.py`: the fixture `script`, or `text`.
    static func archive(script: String) throws -> [UInt8] {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(
            at: try ServedScript.fixtures().appending(path: "scripts/\(script)"), to: URL(filePath: directory.path + "/score.py")
        )
        return try Self.archive(of: directory.path)
    }

    /// Registers the example's `model/` folder as `linear-regression`.
    func registerExampleModel() async throws -> Model {
        let client = try await ModelGateClient.connect(
            to: ServerAddress(host: "127.0.0.1", port: self.server.port),
            credentials: Credentials(clientID: self.server.credentials.clientID, clientSecret: self.server.credentials.clientSecret)
        )
        defer { Task { await client.close() } }
        return try await client.registerModel(
            workspace: self.workspace, name: "linear-regression", path: Self.example.appending(path: "model").path
        )
    }

    func attachCompute(_ name: String, cores: Double, memoryGB: Double) async throws {
        var request = AttachComputeRequest()
        request.workspace = self.workspace
        request.name = name
        request.type = .aks
        request.cpuCores = cores
        request.memoryGb = memoryGB
        let _: ComputeTarget = try await self.server.client.unary(ModelGateMethods.Workspace.attachCompute, request, metadata: self.auth)
    }

    func deploy(
        _ name: String, archive: [UInt8], models: [String] = [], config: DeploymentConfig = DeploymentConfig(), overwrite: Bool = false
    ) async throws -> WebService {
        var request = DeployRequest()
        request.workspace = self.workspace
        request.name = name
        request.models = models
        var inference = InferenceConfig()
        inference.entryScript = "score.py"
        inference.sourceArchive = archive
        request.inferenceConfig = inference
        request.deploymentConfig = config
        request.overwrite = overwrite
        let response: DeployResponse = try await self.server.client.unary(ModelGateMethods.Deployment.deploy, request, metadata: self.auth)
        return try #require(response.service)
    }

    /// Every progress event until the final one.
    func waitForDeployment(_ name: String, showOutput: Bool = false) async throws -> [DeploymentProgress] {
        var request = WaitForDeploymentRequest()
        request.workspace = self.workspace
        request.name = name
        request.showOutput = showOutput
        var events: [DeploymentProgress] = []
        for try await event in self.server.client.serverStreaming(
            ModelGateMethods.Deployment.waitForDeployment, request, metadata: self.auth, as: DeploymentProgress.self
        ) {
            events.append(event)
        }
        return events
    }

    /// Deploys and waits; expects the deployment to end in `state`.
    @discardableResult
    func deployAndWait(
        _ name: String, archive: [UInt8], models: [String] = [], config: DeploymentConfig = DeploymentConfig(),
        overwrite: Bool = false, expecting state: WebServiceState = .healthy
    ) async throws -> [DeploymentProgress] {
        _ = try await self.deploy(name, archive: archive, models: models, config: config, overwrite: overwrite)
        let events = try await self.waitForDeployment(name)
        let last = try #require(events.last)
        #expect(last.final)
        #expect(last.state == state, "ended \(last.state): \(last.message)")
        return events
    }

    func service(_ name: String) async throws -> WebService {
        var request = GetServiceRequest()
        request.workspace = self.workspace
        request.name = name
        return try await self.server.client.unary(ModelGateMethods.Deployment.getService, request, metadata: self.auth)
    }

    func keys(_ name: String) async throws -> GetKeysResponse {
        var request = GetKeysRequest()
        request.workspace = self.workspace
        request.service = name
        return try await self.server.client.unary(ModelGateMethods.Auth.getKeys, request, metadata: self.auth)
    }

    func regenerate(_ name: String, _ type: KeyType) async throws -> RegenKeyResponse {
        var request = RegenKeyRequest()
        request.workspace = self.workspace
        request.service = name
        request.keyType = type
        return try await self.server.client.unary(ModelGateMethods.Auth.regenKey, request, metadata: self.auth)
    }

    func delete(_ name: String) async throws {
        var request = DeleteServiceRequest()
        request.workspace = self.workspace
        request.name = name
        let _: DeleteServiceResponse = try await self.server.client.unary(ModelGateMethods.Deployment.deleteService, request, metadata: self.auth)
    }

    /// Scores `body` with `key` (none when nil).
    func score(_ name: String, _ body: String, key: String?, timeoutMs: UInt32 = 0) async throws -> ScoreResponse {
        var request = ScoreRequest()
        request.workspace = self.workspace
        request.service = name
        request.body = Array(body.utf8)
        request.timeoutMs = timeoutMs
        let metadata = key.map { ["authorization": "Bearer \($0)"] } ?? [:]
        return try await self.server.client.unary(ModelGateMethods.Scoring.score, request, metadata: metadata)
    }
}
