import Foundation
import ModelGateAPI
@testable import ModelGateServer
import Synchronization
import Testing

@Suite("ComputeService")
struct ComputeServiceTests {
    static func makeService(
        _ harness: ControlPlaneHarness, inUse: @escaping ComputeService.ComputeInUseCheck = { _, _ in false }
    ) -> ComputeService {
        ComputeService(
            computes: ComputeStore(database: harness.database), workspaces: WorkspaceStore(database: harness.database),
            regions: RegionStore(database: harness.database), authenticator: harness.authenticator, clock: .system,
            isComputeInUse: inUse,
            usage: { _, _ in ComputeUsage(cpuCores: 1.5, memoryGB: 3, gpus: 0, replicas: 2) }
        )
    }

    static func attachRequest(
        _ name: String = "aks-prod", workspace: String = "ws1", region: String = "", purpose: ClusterPurpose = .unspecified,
        cores: Double = 12, memory: Double = 48, gpus: UInt32 = 0, type: ComputeType = .aks
    ) -> AttachComputeRequest {
        var request = AttachComputeRequest()
        request.workspace = workspace
        request.name = name
        request.type = type
        request.region = region
        request.purpose = purpose
        request.cpuCores = cores
        request.memoryGb = memory
        request.gpus = gpus
        return request
    }

    @Test("An AKS cluster is attached, listed, shown with its usage and detached")
    func attachListShowDetach() async throws {
        try await withControlPlane { harness in
            // Given a workspace in westeurope
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", region: "westeurope", as: admin)
            let service = Self.makeService(harness)

            // When clusters are attached, one in another region and for DevTest
            let prod = try await service.attachCompute(Self.attachRequest(), caller: admin, context: harness.context)
            let dev = try await service.attachCompute(
                Self.attachRequest("aks-dev", region: "eastus", purpose: .devTest, cores: 4, memory: 16, gpus: 1),
                caller: admin, context: harness.context
            )

            // Then the defaults are the workspace's region and FastProd
            #expect(prod.region == "westeurope")
            #expect(prod.purpose == .fastProd)
            #expect(prod.type == .aks)
            #expect(prod.cpuCores == 12 && prod.memoryGb == 48 && prod.gpus == 0)
            #expect(prod.createdBy == admin.principal.clientID)
            #expect(dev.region == "eastus" && dev.purpose == .devTest && dev.gpus == 1)

            var list = ListComputesRequest()
            list.workspace = "ws1"
            let listed = try await service.listComputes(list, caller: admin).computes
            #expect(listed.map(\.name) == ["aks-dev", "aks-prod"])
            list.types = [.aci]
            #expect(try await service.listComputes(list, caller: admin).computes.isEmpty)

            var get = GetComputeRequest()
            get.workspace = "ws1"
            get.name = "AKS-PROD"
            let shown = try await service.getCompute(get, caller: admin)
            #expect(shown.name == "aks-prod")
            #expect(shown.usedCpuCores == 1.5 && shown.usedMemoryGb == 3 && shown.replicaCount == 2)

            var detach = DetachComputeRequest()
            detach.workspace = "ws1"
            detach.name = "aks-prod"
            _ = try await service.detachCompute(detach, caller: admin, context: harness.context)
            await #expect(throws: StoreError.notFound(kind: "compute target", name: "AKS-PROD")) {
                try await service.getCompute(get, caller: admin)
            }
        }
    }

    @Test("Attach is validated: purpose, positive capacity, known region, name, type", arguments: [
        ("purpose 7", Self.attachRequest(purpose: ClusterPurpose(rawValue: 7))),
        ("zero cores", Self.attachRequest(cores: 0)),
        ("negative cores", Self.attachRequest(cores: -4)),
        ("NaN cores", Self.attachRequest(cores: .nan)),
        ("infinite memory", Self.attachRequest(memory: .infinity)),
        ("zero memory", Self.attachRequest(memory: 0)),
        ("too many GPUs", Self.attachRequest(gpus: 1_000_000)),
        ("unknown region", Self.attachRequest(region: "atlantis")),
        ("ACI", Self.attachRequest(type: .aci)),
        ("no type", Self.attachRequest(type: .unspecified)),
        ("short name", Self.attachRequest("a")),
        ("long name", Self.attachRequest("a-very-long-cluster-name")),
        ("digit first", Self.attachRequest("1aks")),
        ("underscore", Self.attachRequest("aks_prod")),
    ])
    func attachIsValidated(_ label: String, request: AttachComputeRequest) async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", as: admin)
            let error = await #expect(throws: RPCError.self, "\(label)") {
                try await Self.makeService(harness).attachCompute(request, caller: admin, context: harness.context)
            }
            #expect(error?.code == .invalidArgument, "\(label): \(error?.message ?? "")")
        }
    }

    @Test("An unknown region's error lists the known ones; a taken name is ALREADY_EXISTS")
    func regionAndDuplicateErrors() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", as: admin)
            let service = Self.makeService(harness)
            let region = await #expect(throws: RPCError.self) {
                try await service.attachCompute(Self.attachRequest(region: "atlantis"), caller: admin, context: harness.context)
            }
            #expect(region?.message.contains("atlantis") == true)
            #expect(region?.message.contains("westeurope") == true)

            _ = try await service.attachCompute(Self.attachRequest(), caller: admin, context: harness.context)
            await #expect(throws: StoreError.alreadyExists(kind: "compute target", name: "Aks-Prod")) {
                try await service.attachCompute(Self.attachRequest("Aks-Prod"), caller: admin, context: harness.context)
            }
        }
    }

    @Test("Reading needs Reader, attaching and detaching need Contributor")
    func rolesAreChecked() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", as: admin)
            let service = Self.makeService(harness)
            _ = try await service.attachCompute(Self.attachRequest(), caller: admin, context: harness.context)
            var reader = try await harness.userCaller("reader")
            var assign = AssignRoleRequest()
            assign.clientID = reader.principal.clientID
            assign.workspace = "ws1"
            assign.role = .reader
            _ = try await harness.identity.assignRole(assign, caller: admin)
            reader = try await harness.refreshed(reader)

            var list = ListComputesRequest()
            list.workspace = "ws1"
            #expect(try await service.listComputes(list, caller: reader).computes.count == 1)
            let attach = await #expect(throws: RPCError.self) {
                try await service.attachCompute(Self.attachRequest("aks-two"), caller: reader, context: harness.context)
            }
            #expect(attach?.code == .permissionDenied)
            var detach = DetachComputeRequest()
            detach.workspace = "ws1"
            detach.name = "aks-prod"
            let detached = await #expect(throws: RPCError.self) {
                try await service.detachCompute(detach, caller: reader, context: harness.context)
            }
            #expect(detached?.code == .permissionDenied)

            let stranger = try await harness.userCaller("stranger")
            let denied = await #expect(throws: RPCError.self) { try await service.listComputes(list, caller: stranger) }
            #expect(denied?.code == .permissionDenied)
        }
    }

    @Test("Detaching a compute target that services run on is FAILED_PRECONDITION")
    func detachInUseIsRefused() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("ws1", as: admin)
            let asked = Mutex<[String]>([])
            let service = Self.makeService(harness) { workspace, name in
                asked.withLock { $0.append("\(workspace)/\(name)") }
                return true
            }
            _ = try await service.attachCompute(Self.attachRequest(), caller: admin, context: harness.context)
            var detach = DetachComputeRequest()
            detach.workspace = "WS1"
            detach.name = "AKS-PROD"
            let error = await #expect(throws: RPCError.self) {
                try await service.detachCompute(detach, caller: admin, context: harness.context)
            }
            #expect(error?.code == .failedPrecondition)
            #expect(asked.withLock { $0 } == ["ws1/aks-prod"])
            var get = GetComputeRequest()
            get.workspace = "ws1"
            get.name = "aks-prod"
            #expect(try await service.getCompute(get, caller: admin).name == "aks-prod")
        }
    }
}
