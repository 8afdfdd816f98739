import Foundation
import ModelGateAPI
@testable import ModelGateClient
@testable import ModelGateServer
import Testing

/// Models, environments and compute targets through the Swift client, against a real server.
@Suite("ModelGateClient, models, environments and computes")
struct ModelClientTests {
    /// A temporary folder for files to register, removed afterwards.
    final class Files: Sendable {
        let path: String
        init() throws {
            self.path = NSTemporaryDirectory() + "modelgate-client-files-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: self.path) }

        /// Writes `bytes` at `relative` (creating folders) and returns the full path.
        @discardableResult
        func write(_ relative: String, _ bytes: [UInt8]) throws -> String {
            let full = self.path + "/" + relative
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: full))
            return full
        }
    }

    static func bytes(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 7919) ^ seed) }
    }

    static func hash(_ bytes: [UInt8]) -> String { StreamingSHA256.hex(SHA256.hash(bytes)) }

    /// A server with workspace `ws1`, a signed-in client, and the server's data directory.
    static func withClient(tls: Bool = false, _ body: (ModelGateClient, ModelGateServerApp) async throws -> Void) async throws {
        try await ClientEndToEndTests.withServer(tls: tls) { app, address in
            let client = try await ModelGateClient.connect(
                to: address, credentials: try Credentials.load(path: app.credentialsPath), tls: ClientEndToEndTests.clientTLS(for: app))
            do {
                _ = try await client.createWorkspace(name: "ws1", region: "westeurope")
                try await body(client, app)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    static func code(_ body: () async throws -> Void) async -> StatusCode? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }

    @Test("A file and a folder are registered in chunks; versions count up; models are read, filtered and deleted")
    func registerFileAndFolder() async throws {
        let files = try Files()
        let single = Self.bytes(200_000, seed: 1)
        let weights = Self.bytes(150_000, seed: 2)
        let file = try files.write("model.pkl", single)
        try files.write("outputs/weights.bin", weights)
        try files.write("outputs/config/params.json", Array(#"{"alpha": 0.1}"#.utf8))
        try files.write("outputs/empty.txt", [])

        try await Self.withClient { client, _ in
            // When a file (larger than one 64 KiB chunk) and then a folder are registered under one name
            let first = try await client.registerModel(
                workspace: "ws1", name: "iris", path: file, description: "single file", tags: ["stage": "dev"],
                properties: ["accuracy": "0.93"], modelFramework: "ScikitLearn", modelFrameworkVersion: "1.5.0", chunkSize: 64 * 1024
            )
            let second = try await client.registerModel(
                workspace: "ws1", name: "iris", path: files.path + "/outputs/", tags: ["stage": "prod"], chunkSize: 64 * 1024
            )

            // Then a file keeps its name, a folder its own name as the first component, as in Azure
            #expect(first.version == 1)
            #expect(first.files.map(\.path) == ["model.pkl"])
            #expect(first.files.map(\.sha256) == [Self.hash(single)])
            #expect(first.sizeBytes == 200_000)
            #expect(first.properties == ["accuracy": "0.93"])
            #expect(first.modelFramework == "ScikitLearn")
            #expect(second.version == 2)
            #expect(second.files.map(\.path) == ["outputs/config/params.json", "outputs/empty.txt", "outputs/weights.bin"])
            #expect(second.files.map(\.sizeBytes) == [14, 0, 150_000])
            #expect(second.files[2].sha256 == Self.hash(weights))

            // And they are read back, filtered by name and tag, and deleted
            #expect(try await client.model(workspace: "ws1", name: "iris") == second)
            #expect(try await client.model(workspace: "ws1", name: "iris", version: 1) == first)
            _ = try await client.registerModel(workspace: "ws1", name: "other", path: file, tags: ["stage": "prod"])
            #expect(try await client.listModels(workspace: "ws1", name: "iris").map(\.version) == [1, 2])
            #expect(try await client.listModels(workspace: "ws1", tags: ["stage": "prod"]).map { "\($0.name):\($0.version)" } == ["iris:2", "other:1"])
            #expect(try await client.listModels(workspace: "ws1", latestOnly: true).map { "\($0.name):\($0.version)" } == ["iris:2", "other:1"])
            try await client.deleteModel(workspace: "ws1", name: "iris", version: 1)
            #expect(try await client.listModels(workspace: "ws1", name: "iris").map(\.version) == [2])
            #expect(await Self.code { _ = try await client.model(workspace: "ws1", name: "iris", version: 1) } == .notFound)
            #expect(await Self.code { _ = try await client.registerModel(workspace: "ws1", name: "x", path: files.path + "/missing") } == .invalidArgument)
            #expect(await Self.code { _ = try await client.registerModel(workspace: "nowhere", name: "x", path: file) } == .notFound)
        }
    }

    @Test("The same content is stored once, and materialises for AZUREML_MODEL_DIR as registered")
    func blobsAreSharedAndMaterialised() async throws {
        let files = try Files()
        let content = Self.bytes(100_000, seed: 3)
        try files.write("outputs/weights.bin", content)
        let copy = try files.write("copy/weights.bin", content)

        try await Self.withClient { client, app in
            let folder = try await client.registerModel(workspace: "ws1", name: "iris", path: files.path + "/outputs", chunkSize: 30_000)
            let single = try await client.registerModel(workspace: "ws1", name: "copy", path: copy)
            #expect(folder.files[0].sha256 == single.files[0].sha256)

            // One blob on disk for both
            let blobs = app.configuration.dataDirectory + "/blobs/sha256"
            let stored = try FileManager.default.subpathsOfDirectory(atPath: blobs).filter { $0.contains("/") }
            #expect(stored == ["\(Self.hash(content).prefix(2))/\(Self.hash(content))"])

            // Laid out as Azure does for one model, and for several
            let one = try await app.models.materialize(models: try await app.models.resolve(["iris:1"], workspace: "ws1"))
            #expect(FileManager.default.contents(atPath: one + "/outputs/weights.bin") == Data(content))
            let both = try await app.models.materialize(models: try await app.models.resolve(["iris", "copy:1"], workspace: "ws1"))
            #expect(FileManager.default.contents(atPath: both + "/iris/1/outputs/weights.bin") == Data(content))
            #expect(FileManager.default.contents(atPath: both + "/copy/1/weights.bin") == Data(content))
        }
    }

    @Test("Environments are registered and read; compute targets are attached, listed and detached")
    func environmentsAndComputes() async throws {
        try await Self.withClient { client, _ in
            var environment = Environment()
            environment.workspace = "ws1"
            environment.name = "sklearn"
            environment.pipRequirements = ["scikit-learn==1.5.0"]
            let registered = try await client.registerEnvironment(environment)
            #expect(registered.version == 1)
            #expect(registered.contentHash.count == 64)
            #expect(try await client.registerEnvironment(environment) == registered)
            #expect(try await client.environment(workspace: "ws1", name: "sklearn") == registered)
            #expect(try await client.listEnvironments(workspace: "ws1").map(\.name) == ["sklearn"])

            let aks = try await client.attachCompute(
                workspace: "ws1", name: "aks-prod", region: "eastus", purpose: .devTest, cpuCores: 8, memoryGB: 32, gpus: 2)
            #expect(aks.region == "eastus" && aks.purpose == .devTest && aks.cpuCores == 8 && aks.memoryGb == 32 && aks.gpus == 2)
            #expect(try await client.compute(workspace: "ws1", name: "aks-prod") == aks)
            #expect(try await client.listComputes(workspace: "ws1").map(\.name) == ["aks-prod"])
            #expect(await Self.code {
                _ = try await client.attachCompute(workspace: "ws1", name: "aks-two", region: "atlantis", cpuCores: 1, memoryGB: 1)
            } == .invalidArgument)
            #expect(await Self.code { _ = try await client.attachCompute(workspace: "ws1", name: "aks-prod", cpuCores: 1, memoryGB: 1) } == .alreadyExists)
            try await client.detachCompute(workspace: "ws1", name: "aks-prod")
            #expect(try await client.listComputes(workspace: "ws1").isEmpty)
        }
    }

    @Test("The client's SHA-256 matches OpenSSL's at block boundaries and when fed in pieces", arguments: [0, 1, 55, 56, 63, 64, 65, 119, 128, 1000, 100_003])
    func sha256MatchesOpenSSL(length: Int) {
        let bytes = Self.bytes(length, seed: length)
        var whole = SHA256Digest()
        whole.update(bytes)
        var pieces = SHA256Digest()
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            pieces.update(bytes[offset..<end])
            offset = end
            step = step * 3 + 1
        }
        #expect(whole.finalize() == Self.hash(bytes))
        #expect(pieces.finalize() == Self.hash(bytes))
    }
}
