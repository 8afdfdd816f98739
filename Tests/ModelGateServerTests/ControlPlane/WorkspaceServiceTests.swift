import Foundation
import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("WorkspaceService")
struct WorkspaceServiceTests {
    @Test("Workspace names follow Azure's rule", arguments: [
        ("abc", true), ("prod-ml_01", true), ("9lives", true), (String(repeating: "a", count: 33), true),
        ("ab", false), (String(repeating: "a", count: 34), false), ("-prod", false), ("_prod", false),
        ("pr od", false), ("prød", false), ("prod.ml", false), ("", false),
    ])
    func workspaceNameRule(name: String, valid: Bool) {
        if valid {
            #expect(throws: Never.self) { try WorkspaceService.validateName(name) }
        } else {
            let error = #expect(throws: RPCError.self) { try WorkspaceService.validateName(name) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test("Create, get, list and delete a workspace")
    func workspaceLifecycle() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            var create = CreateWorkspaceRequest()
            create.name = "prod"
            create.region = "northeurope"
            create.description = "production"
            create.tags = ["team": "ml"]

            let created = try await harness.workspaces.createWorkspace(create, caller: admin, context: harness.context)
            #expect(created.name == "prod" && created.region == "northeurope" && created.tags == ["team": "ml"])
            #expect(created.createdBy == admin.principal.clientID)

            var get = GetWorkspaceRequest()
            get.name = "prod"
            #expect(try await harness.workspaces.getWorkspace(get, caller: admin) == created)
            #expect(try await harness.workspaces.listWorkspaces(caller: admin).workspaces == [created])

            var delete = DeleteWorkspaceRequest()
            delete.name = "prod"
            _ = try await harness.workspaces.deleteWorkspace(delete, caller: admin, context: harness.context)
            await #expect(throws: StoreError.notFound(kind: "workspace", name: "prod")) {
                try await harness.workspaces.getWorkspace(get, caller: admin)
            }
            await #expect(throws: StoreError.notFound(kind: "workspace", name: "prod")) {
                try await harness.workspaces.deleteWorkspace(delete, caller: admin, context: harness.context)
            }
        }
    }

    @Test("An unknown or missing region is INVALID_ARGUMENT listing the known regions")
    func unknownRegionListsKnownOnes() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            for region in ["atlantis", ""] {
                let error = await #expect(throws: RPCError.self) { try await harness.createWorkspace("prod", region: region, as: admin) }
                #expect(error?.code == .invalidArgument)
                #expect(error?.message.contains("known regions: australiaeast, centralindia") == true)
            }
        }
    }

    @Test("A duplicate name, in any case, is ALREADY_EXISTS")
    func duplicateIsAlreadyExists() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            _ = try await harness.createWorkspace("prod", as: admin)
            let error = await #expect(throws: StoreError.self) { try await harness.createWorkspace("PROD", as: admin) }
            #expect(error?.rpcErrorCode == .alreadyExists)
        }
    }

    @Test("A user creates workspaces as their Owner and lists only the ones it holds a role on")
    func usersSeeOnlyTheirWorkspaces() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            let user = try await harness.userCaller()
            _ = try await harness.createWorkspace("admins-only", as: admin)
            _ = try await harness.createWorkspace("users-own", as: user)
            let user2 = try await harness.refreshed(user)

            #expect(try await harness.workspaces.listWorkspaces(caller: user2).workspaces.map(\.name) == ["users-own"])
            #expect(try await harness.workspaces.listWorkspaces(caller: admin).workspaces.map(\.name) == ["admins-only", "users-own"])
            var get = GetWorkspaceRequest()
            get.name = "admins-only"
            let error = await #expect(throws: RPCError.self) { try await harness.workspaces.getWorkspace(get, caller: user2) }
            #expect(error?.code == .permissionDenied)
        }
    }

    @Test("Region chaos controls are admin-only and stored")
    func regionControls() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            let user = try await harness.userCaller()
            var availability = SetRegionAvailabilityRequest()
            availability.region = "eastus"
            availability.available = false
            availability.reason = "chaos drill"

            let denied = await #expect(throws: RPCError.self) {
                try await harness.workspaces.setRegionAvailability(availability, caller: user, context: harness.context)
            }
            #expect(denied?.code == .permissionDenied)
            let region = try await harness.workspaces.setRegionAvailability(availability, caller: admin, context: harness.context)
            #expect(!region.available && region.unavailableReason == "chaos drill" && region.availabilityChangedAtUnixMs > 0)

            var latency = SetRegionLatencyRequest()
            latency.fromRegion = "eastus"
            latency.toRegion = "westeurope"
            latency.roundTripMs = 250
            let updated = try await harness.workspaces.setRegionLatency(latency, caller: admin, context: harness.context)
            #expect(updated.latencies.first { $0.region == "westeurope" }?.roundTripMs == 250)

            latency.toRegion = "eastus"
            let same = await #expect(throws: RPCError.self) {
                try await harness.workspaces.setRegionLatency(latency, caller: admin, context: harness.context)
            }
            #expect(same?.code == .invalidArgument)
            latency.toRegion = "nowhere"
            await #expect(throws: StoreError.notFound(kind: "region", name: "nowhere")) {
                try await harness.workspaces.setRegionLatency(latency, caller: admin, context: harness.context)
            }
        }
    }
}
