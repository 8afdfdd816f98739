import Foundation
import ModelGateAPI
@testable import ModelGateServer
import NIOPosix
import Synchronization
import Testing

@Suite("ModelService")
struct ModelServiceTests {
    /// The service over the harness's database, with its model store.
    static func makeService(
        _ harness: ControlPlaneHarness, directory: String,
        inUse: @escaping ModelService.ModelInUseCheck = { _, _, _ in false }
    ) throws -> (ModelService, ModelStore) {
        let store = try ModelStore(
            database: harness.database, blobs: try BlobStore(root: directory + "/blobs", threadPool: .singleton),
            materializedRoot: directory + "/models"
        )
        let service = ModelService(
            models: store, environments: EnvironmentStore(database: harness.database),
            workspaces: WorkspaceStore(database: harness.database), authenticator: harness.authenticator, clock: .system,
            isModelInUse: inUse
        )
        return (service, store)
    }

    /// A user holding `role` on `ws1`.
    static func user(_ harness: ControlPlaneHarness, _ role: Role) async throws -> AuthenticatedCaller {
        let user = try await harness.userCaller("user-\(role.rawValue)")
        var assign = AssignRoleRequest()
        assign.clientID = user.principal.clientID
        assign.workspace = "ws1"
        assign.role = role
        _ = try await harness.identity.assignRole(assign, caller: try await harness.adminCaller())
        return try await harness.refreshed(user)
    }

    @Test("Deleting a version a service uses is FAILED_PRECONDITION; others delete")
    func deleteInUseIsRefused() async throws {
        try await withControlPlane { harness in
            let directory = try TemporaryDirectory()
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", as: admin)
            let asked = Mutex<[String]>([])
            let (service, store) = try Self.makeService(harness, directory: directory.path) { workspace, name, version in
                asked.withLock { $0.append("\(workspace)/\(name):\(version)") }
                return version == 1
            }
            try await ModelStoreTests.register(store, "iris", files: ["m": "1"])
            try await ModelStoreTests.register(store, "iris", files: ["m": "2"])

            var delete = DeleteModelRequest()
            delete.workspace = "WS1"
            delete.name = "iris"
            delete.version = 1
            let error = await #expect(throws: RPCError.self) {
                try await service.deleteModel(delete, caller: admin, context: harness.context)
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("iris:1") == true)

            delete.version = 2
            _ = try await service.deleteModel(delete, caller: admin, context: harness.context)
            #expect(asked.withLock { $0 } == ["ws1/iris:1", "ws1/iris:2"])
            #expect(try await store.list(workspace: "ws1").map(\.id) == ["iris:1"])

            delete.version = 0
            let missingVersion = await #expect(throws: RPCError.self) {
                try await service.deleteModel(delete, caller: admin, context: harness.context)
            }
            #expect(missingVersion?.code == .invalidArgument)
            delete.version = 9
            await #expect(throws: StoreError.notFound(kind: "model", name: "iris:9")) {
                try await service.deleteModel(delete, caller: admin, context: harness.context)
            }
        }
    }

    @Test("Readers read models and environments; only Contributors register and delete")
    func rolesAreChecked() async throws {
        try await withControlPlane { harness in
            let directory = try TemporaryDirectory()
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", as: admin)
            let (service, store) = try Self.makeService(harness, directory: directory.path)
            try await ModelStoreTests.register(store, "iris", files: ["m": "1"])
            let reader = try await Self.user(harness, .reader)
            let contributor = try await Self.user(harness, .contributor)

            var get = GetModelRequest()
            get.workspace = "ws1"
            get.name = "iris"
            #expect(try await service.getModel(get, caller: reader).version == 1)
            var list = ListModelsRequest()
            list.workspace = "ws1"
            #expect(try await service.listModels(list, caller: reader).models.count == 1)

            var delete = DeleteModelRequest()
            delete.workspace = "ws1"
            delete.name = "iris"
            delete.version = 1
            let denied = await #expect(throws: RPCError.self) { try await service.deleteModel(delete, caller: reader, context: harness.context) }
            #expect(denied?.code == .permissionDenied)

            var register = RegisterEnvironmentRequest()
            var environment = Environment()
            environment.workspace = "ws1"
            environment.name = "env"
            register.environment = environment
            let refused = await #expect(throws: RPCError.self) { try await service.registerEnvironment(register, caller: reader, context: harness.context) }
            #expect(refused?.code == .permissionDenied)
            #expect(try await service.registerEnvironment(register, caller: contributor, context: harness.context).version == 1)
            _ = try await service.deleteModel(delete, caller: contributor, context: harness.context)

            let stranger = try await harness.userCaller("stranger")
            let hidden = await #expect(throws: RPCError.self) { try await service.getModel(get, caller: stranger) }
            #expect(hidden?.code == .permissionDenied)
        }
    }

    @Test("Registering an environment hashes its content; the same content returns the same version")
    func environmentVersions() async throws {
        try await withControlPlane { harness in
            let directory = try TemporaryDirectory()
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", as: admin)
            let (service, _) = try Self.makeService(harness, directory: directory.path)
            var environment = Environment()
            environment.workspace = "ws1"
            environment.name = "sklearn-env"
            environment.pipRequirements = ["scikit-learn==1.5.0", "# comment"]
            environment.baseImage = "mcr.microsoft.com/azureml/base:latest"
            environment.environmentVariables = ["OMP_NUM_THREADS": "1"]
            environment.contentHash = "ignored"
            var request = RegisterEnvironmentRequest()
            request.environment = environment

            let first = try await service.registerEnvironment(request, caller: admin, context: harness.context)
            let again = try await service.registerEnvironment(request, caller: admin, context: harness.context)
            request.environment?.pipRequirements = ["scikit-learn==1.5.1"]
            let changed = try await service.registerEnvironment(request, caller: admin, context: harness.context)

            #expect(first.version == 1)
            #expect(first.contentHash == (try EnvironmentContent(environment)).contentHash)
            #expect(first.createdBy == admin.principal.clientID)
            #expect(again == first)
            #expect(changed.version == 2)
            #expect(changed.contentHash != first.contentHash)

            var get = GetEnvironmentRequest()
            get.workspace = "ws1"
            get.name = "sklearn-env"
            #expect(try await service.getEnvironment(get, caller: admin) == changed)
            get.version = 1
            #expect(try await service.getEnvironment(get, caller: admin) == first)
            get.version = 3
            await #expect(throws: StoreError.notFound(kind: "environment", name: "sklearn-env:3")) {
                try await service.getEnvironment(get, caller: admin)
            }
            var list = ListEnvironmentsRequest()
            list.workspace = "ws1"
            #expect(try await service.listEnvironments(list, caller: admin).environments.map(\.version) == [1, 2])
            list.latestOnly = true
            #expect(try await service.listEnvironments(list, caller: admin).environments.map(\.version) == [2])
        }
    }

    @Test("Malformed environments are INVALID_ARGUMENT", arguments: [
        "both", "bad name", "bad variable", "bad python",
    ])
    func malformedEnvironmentsAreRefused(_ what: String) async throws {
        try await withControlPlane { harness in
            let directory = try TemporaryDirectory()
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", as: admin)
            let (service, _) = try Self.makeService(harness, directory: directory.path)
            var environment = Environment()
            environment.workspace = "ws1"
            environment.name = "env"
            switch what {
            case "both":
                environment.pipRequirements = ["numpy"]
                environment.condaYaml = "dependencies:\n  - pip:\n    - numpy\n"
            case "bad name": environment.name = "../env"
            case "bad variable": environment.environmentVariables = ["1X": "y"]
            default: environment.pythonVersion = "python3"
            }
            var request = RegisterEnvironmentRequest()
            request.environment = environment
            let error = await #expect(throws: RPCError.self) { try await service.registerEnvironment(request, caller: admin, context: harness.context) }
            #expect(error?.code == .invalidArgument)
        }
    }
}
