import Foundation
import ModelGateAPI
@testable import ModelGateServer
import NIOPosix
import Testing

@Suite("Model store")
struct ModelStoreTests {
    static let epoch = Date(timeIntervalSince1970: 1_750_000_000)

    /// A migrated database with workspaces `ws1` and `ws2`, and a model store in `directory`.
    static func withStore(_ body: (ModelStore, String) async throws -> Void) async throws {
        try await withMigratedDatabase { database, directory in
            let workspaces = WorkspaceStore(database: database)
            for name in ["ws1", "ws2"] {
                try await workspaces.create(WorkspaceRecord(name: name, id: name, region: "westeurope", createdBy: "t", createdAt: epoch))
            }
            let store = try ModelStore(
                database: database, blobs: try BlobStore(root: directory + "/blobs", threadPool: .singleton),
                materializedRoot: directory + "/models"
            )
            try await body(store, directory)
        }
    }

    /// Registers `files` (path → content) as a new version of `name`.
    @discardableResult
    static func register(
        _ store: ModelStore, _ name: String, workspace: String = "ws1", files: [String: String], tags: [String: String] = [:]
    ) async throws -> ModelRecord {
        var staged: [StagedBlob] = []
        var records: [ModelFileRecord] = []
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            let blob = try await BlobStoreTests.stage([Array(content.utf8)], in: store.blobs)
            staged.append(blob)
            records.append(ModelFileRecord(path: path, sizeBytes: blob.sizeBytes, sha256: blob.sha256))
        }
        let model = ModelRecord(workspace: workspace, name: name, version: 0, tags: tags, files: records, createdBy: "test", createdAt: epoch)
        return try await store.register(model, staged: staged)
    }

    @Test("Versions count up from 1 per name, and a deleted version's number is never reused")
    func versionsCountUpAndAreNotReused() async throws {
        try await Self.withStore { store, _ in
            #expect(try await Self.register(store, "iris", files: ["m.pkl": "1"]).version == 1)
            #expect(try await Self.register(store, "iris", files: ["m.pkl": "2"]).version == 2)
            #expect(try await Self.register(store, "mnist", files: ["m.pkl": "x"]).version == 1)
            #expect(try await Self.register(store, "iris", workspace: "ws2", files: ["m.pkl": "1"]).version == 1)

            try await store.delete(workspace: "ws1", name: "iris", version: 2)
            #expect(try await Self.register(store, "iris", files: ["m.pkl": "3"]).version == 3)
            #expect(try await store.list(workspace: "ws1", name: "iris").map(\.version) == [1, 3])
            #expect(try await store.model(workspace: "ws1", name: "iris")?.version == 3)
            #expect(try await store.model(workspace: "ws1", name: "iris", version: 2) == nil)
            await #expect(throws: StoreError.notFound(kind: "model", name: "iris:2")) {
                try await store.delete(workspace: "ws1", name: "iris", version: 2)
            }
        }
    }

    @Test("Listing filters by name and by all given tags, and can keep only the latest versions")
    func listFilters() async throws {
        try await Self.withStore { store, _ in
            try await Self.register(store, "iris", files: ["a": "1"], tags: ["stage": "dev", "team": "ml"])
            try await Self.register(store, "iris", files: ["a": "2"], tags: ["stage": "prod", "team": "ml"])
            try await Self.register(store, "mnist", files: ["a": "3"], tags: ["stage": "prod"])

            #expect(try await store.list(workspace: "ws1").map(\.id) == ["iris:1", "iris:2", "mnist:1"])
            #expect(try await store.list(workspace: "WS1", name: "mnist").map(\.id) == ["mnist:1"])
            #expect(try await store.list(workspace: "ws1", tags: ["stage": "prod"]).map(\.id) == ["iris:2", "mnist:1"])
            #expect(try await store.list(workspace: "ws1", tags: ["stage": "prod", "team": "ml"]).map(\.id) == ["iris:2"])
            #expect(try await store.list(workspace: "ws1", latestOnly: true).map(\.id) == ["iris:2", "mnist:1"])
            #expect(try await store.list(workspace: "ws2").isEmpty)
        }
    }

    @Test("A blob shared by two versions is removed only with the last of them")
    func sharedBlobIsRemovedWithItsLastUser() async throws {
        try await Self.withStore { store, _ in
            let first = try await Self.register(store, "iris", files: ["m.pkl": "same weights"])
            try await Self.register(store, "copy", workspace: "ws2", files: ["other/name.pkl": "same weights"])
            let hash = first.files[0].sha256

            try await store.delete(workspace: "ws1", name: "iris", version: 1)
            #expect(store.blobs.contains(hash))
            try await store.delete(workspace: "ws2", name: "copy", version: 1)
            #expect(!store.blobs.contains(hash))
        }
    }

    @Test("One model is laid out as <name>/<version>/<files>, and AZUREML_MODEL_DIR is that version's folder")
    func oneModelIsMaterializedAsItsVersionFolder() async throws {
        try await Self.withStore { store, directory in
            let model = try await Self.register(store, "iris", files: ["outputs/model.pkl": "weights", "outputs/meta/info.json": "{}"])

            let modelDirectory = try await store.materialize(models: [model])

            #expect(modelDirectory.hasPrefix(directory + "/models/"))
            #expect(modelDirectory.hasSuffix("/iris/1"))
            #expect(FileManager.default.contents(atPath: modelDirectory + "/outputs/model.pkl") == Data("weights".utf8))
            #expect(FileManager.default.contents(atPath: modelDirectory + "/outputs/meta/info.json") == Data("{}".utf8))
            // A hard link to the blob, not a copy.
            let blob = try FileManager.default.attributesOfItem(atPath: store.blobs.path(for: model.files[1].sha256))
            let placed = try FileManager.default.attributesOfItem(atPath: modelDirectory + "/outputs/model.pkl")
            #expect(blob[.systemFileNumber] as? NSNumber == placed[.systemFileNumber] as? NSNumber)
            // Materialising again reuses the folder.
            #expect(try await store.materialize(models: [model, model]) == modelDirectory)
        }
    }

    @Test("Several models are laid out side by side, and AZUREML_MODEL_DIR is their parent")
    func severalModelsShareAParent() async throws {
        try await Self.withStore { store, _ in
            let first = try await Self.register(store, "iris", files: ["model.pkl": "v1"])
            let second = try await Self.register(store, "iris", files: ["model.pkl": "v2"])
            let other = try await Self.register(store, "mnist", files: ["net.onnx": "onnx"])

            let root = try await store.materialize(models: [other, first, second])

            #expect(FileManager.default.contents(atPath: root + "/iris/1/model.pkl") == Data("v1".utf8))
            #expect(FileManager.default.contents(atPath: root + "/iris/2/model.pkl") == Data("v2".utf8))
            #expect(FileManager.default.contents(atPath: root + "/mnist/1/net.onnx") == Data("onnx".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["iris", "mnist"])
            #expect(try await store.materialize(models: [first, second, other]) == root)
            #expect(try await store.materialize(models: [first]) != root)

            await store.removeMaterialization(of: [first, second, other])
            #expect(!FileManager.default.fileExists(atPath: root))
        }
    }

    @Test("A missing blob makes materialising fail with DATA_LOSS, leaving nothing half-built")
    func missingBlobIsDataLoss() async throws {
        try await Self.withStore { store, directory in
            let model = try await Self.register(store, "iris", files: ["model.pkl": "weights"])
            let blob = store.blobs.path(for: model.files[0].sha256)
            try FileManager.default.removeItem(atPath: blob)

            let error = await #expect(throws: RPCError.self) { try await store.materialize(models: [model]) }
            #expect(error?.code == .dataLoss)
            #expect(error?.message.contains("model.pkl") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/models").isEmpty)
        }
    }

    @Test("Model ids resolve as NAME (latest) or NAME:VERSION")
    func idsResolve() async throws {
        try await Self.withStore { store, _ in
            try await Self.register(store, "iris", files: ["a": "1"])
            try await Self.register(store, "iris", files: ["a": "2"])

            #expect(try await store.resolve(["iris", "iris:1", "iris:2"], workspace: "ws1").map(\.id) == ["iris:2", "iris:1"])
            await #expect(throws: StoreError.notFound(kind: "model", name: "iris:7")) {
                try await store.resolve(["iris:7"], workspace: "ws1")
            }
            for malformed in ["iris:x", "iris:0", ":1"] {
                let error = await #expect(throws: RPCError.self) { try await store.resolve([malformed], workspace: "ws1") }
                #expect(error?.code == .invalidArgument)
            }
        }
    }

    @Test("A deployment may use at most 1000 models")
    func atMostAThousandModelsPerDeployment() async throws {
        try await Self.withStore { store, _ in
            #expect(ModelLimits.maxModelsPerDeployment == 1000)
            let ids = (1...1001).map { "m\($0):1" }
            let error = await #expect(throws: RPCError.self) { try await store.resolve(ids, workspace: "ws1") }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message == "a deployment may use at most 1000 models (got 1001)")

            let records = (1...1001).map { ModelRecord(workspace: "ws1", name: "m\($0)", version: 1, files: [], createdBy: "t", createdAt: Self.epoch) }
            let materialized = await #expect(throws: RPCError.self) { try await store.materialize(models: records) }
            #expect(materialized?.code == .invalidArgument)
        }
    }

    @Test("Deleting a workspace deletes its models")
    func workspaceDeletionCascades() async throws {
        try await withMigratedDatabase { database, directory in
            let workspaces = WorkspaceStore(database: database)
            try await workspaces.create(WorkspaceRecord(name: "ws1", id: "1", region: "westeurope", createdBy: "t", createdAt: Self.epoch))
            let store = try ModelStore(
                database: database, blobs: try BlobStore(root: directory + "/blobs", threadPool: .singleton),
                materializedRoot: directory + "/models"
            )
            try await Self.register(store, "iris", files: ["a": "1"])
            try await workspaces.delete(named: "ws1")
            try await workspaces.create(WorkspaceRecord(name: "ws1", id: "2", region: "westeurope", createdBy: "t", createdAt: Self.epoch))
            #expect(try await store.list(workspace: "ws1").isEmpty)
            #expect(try await Self.register(store, "iris", files: ["a": "new"]).version == 1)
        }
    }
}
