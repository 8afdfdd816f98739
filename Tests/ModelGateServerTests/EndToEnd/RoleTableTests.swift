import Foundation
import ModelGateAPI
import ModelGateRPC
import Testing

/// The role table of issue 4, over the wire: for each group of control-plane
/// methods and each role (and no role), the call is allowed or refused with
/// `PERMISSION_DENIED` naming the role it needs.
///
/// "Allowed" means the call got past the access check: it may still fail
/// for its own reasons (`NOT_FOUND` for a service that was never deployed,
/// `INVALID_ARGUMENT` for an empty deployment), never `PERMISSION_DENIED`.
@Suite("Role table over the wire")
struct RoleTableTests {
    /// The least a caller needs for a method.
    enum Needs: String, Sendable {
        case reader = "Reader"
        case contributor = "Contributor"
        case owner = "Owner"
        /// An admin principal; no workspace role is enough.
        case admin

        func allows(_ caller: RolePrincipals.Caller) -> Bool {
            switch (self, caller) {
            case (.admin, _), (_, .noRole): false
            case (.reader, _): true
            case (.contributor, let caller): caller == .contributor || caller == .owner
            case (.owner, let caller): caller == .owner
            }
        }
    }

    /// One method (or a few that share a rule) and what it needs.
    struct Row: Sendable, CustomTestStringConvertible {
        var method: String
        var needs: Needs
        /// Makes the call as `metadata` against the cast's workspace.
        var call: @Sendable (_ cast: RolePrincipals, _ metadata: [String: String]) async throws -> Void

        var testDescription: String { "\(self.method) needs \(self.needs.rawValue)" }
    }

    static let rows: [Row] = [
        // Reading the workspace and what is in it: Reader.
        Row(method: "GetWorkspace", needs: .reader) { cast, metadata in
            _ = try await cast.server.getWorkspace(cast.workspace, metadata: metadata)
        },
        Row(method: "ListComputes", needs: .reader) { cast, metadata in
            var list = ListComputesRequest()
            list.workspace = cast.workspace
            let _: ListComputesResponse = try await cast.server.client.unary(ModelGateMethods.Workspace.listComputes, list, metadata: metadata)
        },
        Row(method: "GetCompute", needs: .reader) { cast, metadata in
            var get = GetComputeRequest()
            get.workspace = cast.workspace
            get.name = "aks-missing"
            try await Self.allowingNotFound {
                let _: ComputeTarget = try await cast.server.client.unary(ModelGateMethods.Workspace.getCompute, get, metadata: metadata)
            }
        },
        Row(method: "ListModels", needs: .reader) { cast, metadata in
            var list = ListModelsRequest()
            list.workspace = cast.workspace
            let _: ListModelsResponse = try await cast.server.client.unary(ModelGateMethods.Model.listModels, list, metadata: metadata)
        },
        Row(method: "GetModel", needs: .reader) { cast, metadata in
            var get = GetModelRequest()
            get.workspace = cast.workspace
            get.name = "missing"
            try await Self.allowingNotFound {
                let _: Model = try await cast.server.client.unary(ModelGateMethods.Model.getModel, get, metadata: metadata)
            }
        },
        Row(method: "ListEnvironments", needs: .reader) { cast, metadata in
            var list = ListEnvironmentsRequest()
            list.workspace = cast.workspace
            let _: ListEnvironmentsResponse = try await cast.server.client.unary(ModelGateMethods.Model.listEnvironments, list, metadata: metadata)
        },
        Row(method: "GetEnvironment", needs: .reader) { cast, metadata in
            var get = GetEnvironmentRequest()
            get.workspace = cast.workspace
            get.name = "missing"
            try await Self.allowingNotFound {
                let _: Environment = try await cast.server.client.unary(ModelGateMethods.Model.getEnvironment, get, metadata: metadata)
            }
        },
        Row(method: "ListServices", needs: .reader) { cast, metadata in
            var list = ListServicesRequest()
            list.workspace = cast.workspace
            let _: ListServicesResponse = try await cast.server.client.unary(ModelGateMethods.Deployment.listServices, list, metadata: metadata)
        },
        Row(method: "GetService", needs: .reader) { cast, metadata in
            var get = GetServiceRequest()
            get.workspace = cast.workspace
            get.name = "missing"
            try await Self.allowingNotFound {
                let _: WebService = try await cast.server.client.unary(ModelGateMethods.Deployment.getService, get, metadata: metadata)
            }
        },
        Row(method: "WaitForDeployment", needs: .reader) { cast, metadata in
            var request = WaitForDeploymentRequest()
            request.workspace = cast.workspace
            request.name = "missing"
            try await Self.allowingNotFound {
                for try await _ in cast.server.client.serverStreaming(
                    ModelGateMethods.Deployment.waitForDeployment, request, metadata: metadata, as: DeploymentProgress.self
                ) {}
            }
        },
        Row(method: "GetLogs", needs: .reader) { cast, metadata in
            var request = GetLogsRequest()
            request.workspace = cast.workspace
            request.name = "missing"
            try await Self.allowingNotFound {
                for try await _ in cast.server.client.serverStreaming(
                    ModelGateMethods.Deployment.getLogs, request, metadata: metadata, as: GetLogsResponse.self
                ) {}
            }
        },
        Row(method: "GetCollectedData", needs: .reader) { cast, metadata in
            var request = GetCollectedDataRequest()
            request.workspace = cast.workspace
            request.name = "missing"
            try await Self.allowingNotFound {
                for try await _ in cast.server.client.serverStreaming(
                    ModelGateMethods.Deployment.getCollectedData, request, metadata: metadata, as: GetCollectedDataResponse.self
                ) {}
            }
        },
        Row(method: "GetToken", needs: .reader) { cast, metadata in
            var request = GetTokenRequest()
            request.workspace = cast.workspace
            request.service = "missing"
            try await Self.allowingNotFound {
                let _: GetTokenResponse = try await cast.server.client.unary(ModelGateMethods.Auth.getToken, request, metadata: metadata)
            }
        },
        Row(method: "GetSigningKeys", needs: .reader) { cast, metadata in
            var request = GetSigningKeysRequest()
            request.workspace = cast.workspace
            let _: GetSigningKeysResponse = try await cast.server.client.unary(ModelGateMethods.Auth.getSigningKeys, request, metadata: metadata)
        },

        // Changing resources, and service keys (they grant scoring): Contributor.
        Row(method: "AttachCompute", needs: .contributor) { cast, metadata in
            var attach = AttachComputeRequest()
            attach.workspace = cast.workspace
            attach.name = "aks-\(UUID().uuidString.prefix(8).lowercased())"
            attach.type = .aks
            attach.cpuCores = 2
            attach.memoryGb = 4
            let _: ComputeTarget = try await cast.server.client.unary(ModelGateMethods.Workspace.attachCompute, attach, metadata: metadata)
        },
        Row(method: "DetachCompute", needs: .contributor) { cast, metadata in
            var detach = DetachComputeRequest()
            detach.workspace = cast.workspace
            detach.name = "aks-missing"
            try await Self.allowingNotFound {
                let _: DetachComputeResponse = try await cast.server.client.unary(ModelGateMethods.Workspace.detachCompute, detach, metadata: metadata)
            }
        },
        Row(method: "RegisterModel", needs: .contributor) { cast, metadata in
            var registration = ModelRegistration()
            registration.workspace = cast.workspace
            registration.name = "empty"
            var first = RegisterModelRequest()
            first.registration = registration
            // No files: refused as INVALID_ARGUMENT, but only after the access check.
            try await Self.allowing(.invalidArgument) {
                let _: Model = try await cast.server.client.clientStreaming(
                    ModelGateMethods.Model.registerModel, requests: [first], metadata: metadata
                )
            }
        },
        Row(method: "DeleteModel", needs: .contributor) { cast, metadata in
            var request = DeleteModelRequest()
            request.workspace = cast.workspace
            request.name = "missing"
            request.version = 1
            try await Self.allowingNotFound {
                let _: DeleteModelResponse = try await cast.server.client.unary(ModelGateMethods.Model.deleteModel, request, metadata: metadata)
            }
        },
        Row(method: "RegisterEnvironment", needs: .contributor) { cast, metadata in
            var environment = Environment()
            environment.workspace = cast.workspace
            environment.name = "env-\(UUID().uuidString.prefix(8).lowercased())"
            var request = RegisterEnvironmentRequest()
            request.environment = environment
            let _: Environment = try await cast.server.client.unary(ModelGateMethods.Model.registerEnvironment, request, metadata: metadata)
        },
        Row(method: "Deploy", needs: .contributor) { cast, metadata in
            var request = DeployRequest()
            request.workspace = cast.workspace
            request.name = "svc"
            // No inference config: refused as INVALID_ARGUMENT, after the access check.
            try await Self.allowing(.invalidArgument) {
                let _: DeployResponse = try await cast.server.client.unary(ModelGateMethods.Deployment.deploy, request, metadata: metadata)
            }
        },
        Row(method: "UpdateService", needs: .contributor) { cast, metadata in
            var update = UpdateServiceRequest()
            update.workspace = cast.workspace
            update.name = "missing"
            try await Self.allowingNotFound {
                let _: WebService = try await cast.server.client.unary(ModelGateMethods.Deployment.updateService, update, metadata: metadata)
            }
        },
        Row(method: "DeleteService", needs: .contributor) { cast, metadata in
            var delete = DeleteServiceRequest()
            delete.workspace = cast.workspace
            delete.name = "missing"
            try await Self.allowingNotFound {
                let _: DeleteServiceResponse = try await cast.server.client.unary(ModelGateMethods.Deployment.deleteService, delete, metadata: metadata)
            }
        },
        Row(method: "GetKeys", needs: .contributor) { cast, metadata in
            var get = GetKeysRequest()
            get.workspace = cast.workspace
            get.service = "missing"
            try await Self.allowingNotFound {
                let _: GetKeysResponse = try await cast.server.client.unary(ModelGateMethods.Auth.getKeys, get, metadata: metadata)
            }
        },
        Row(method: "RegenKey", needs: .contributor) { cast, metadata in
            var regen = RegenKeyRequest()
            regen.workspace = cast.workspace
            regen.service = "missing"
            regen.keyType = .primary
            try await Self.allowingNotFound {
                let _: RegenKeyResponse = try await cast.server.client.unary(ModelGateMethods.Auth.regenKey, regen, metadata: metadata)
            }
        },

        // Role assignments and deleting the workspace: Owner.
        Row(method: "AssignRole", needs: .owner) { cast, metadata in
            var assign = AssignRoleRequest()
            assign.clientID = cast.bystander
            assign.workspace = cast.workspace
            assign.role = .reader
            let _: RoleAssignment = try await cast.server.client.unary(ModelGateMethods.Identity.assignRole, assign, metadata: metadata)
        },
        Row(method: "RemoveRole", needs: .owner) { cast, metadata in
            // The bystander holds no role: NOT_FOUND once past the access check.
            var remove = RemoveRoleRequest()
            remove.clientID = cast.bystander
            remove.workspace = cast.workspace
            try await Self.allowingNotFound {
                let _: RemoveRoleResponse = try await cast.server.client.unary(ModelGateMethods.Identity.removeRole, remove, metadata: metadata)
            }
        },
        Row(method: "DeleteWorkspace", needs: .owner) { cast, metadata in
            var request = DeleteWorkspaceRequest()
            request.name = cast.workspace
            let _: DeleteWorkspaceResponse = try await cast.server.client.unary(ModelGateMethods.Workspace.deleteWorkspace, request, metadata: metadata)
        },

        // Principals and regions: admins only, whatever the workspace role.
        Row(method: "CreatePrincipal", needs: .admin) { cast, metadata in
            var create = CreatePrincipalRequest()
            create.displayName = "another"
            create.kind = .servicePrincipal
            let _: CreatePrincipalResponse = try await cast.server.client.unary(ModelGateMethods.Identity.createPrincipal, create, metadata: metadata)
        },
        Row(method: "ListPrincipals", needs: .admin) { cast, metadata in
            let _: ListPrincipalsResponse = try await cast.server.client.unary(
                ModelGateMethods.Identity.listPrincipals, ListPrincipalsRequest(), metadata: metadata
            )
        },
        Row(method: "DeletePrincipal", needs: .admin) { cast, metadata in
            var request = DeletePrincipalRequest()
            request.clientID = cast.bystander
            let _: DeletePrincipalResponse = try await cast.server.client.unary(ModelGateMethods.Identity.deletePrincipal, request, metadata: metadata)
        },
        Row(method: "SetRegionAvailability", needs: .admin) { cast, metadata in
            var availability = SetRegionAvailabilityRequest()
            availability.region = "japaneast"
            availability.available = true
            let _: Region = try await cast.server.client.unary(ModelGateMethods.Workspace.setRegionAvailability, availability, metadata: metadata)
        },
        Row(method: "SetRegionLatency", needs: .admin) { cast, metadata in
            var latency = SetRegionLatencyRequest()
            latency.fromRegion = "japaneast"
            latency.toRegion = "eastus"
            latency.roundTripMs = 150
            let _: Region = try await cast.server.client.unary(ModelGateMethods.Workspace.setRegionLatency, latency, metadata: metadata)
        },
    ]

    @Test("Each role may call a method or is refused naming the role needed", arguments: Self.rows)
    func roleTable(_ row: Row) async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            // Given a workspace with a principal in each role, and one with none
            let cast = try await RolePrincipals.make(server)

            // When each calls the method group (the most privileged last, since some calls destroy)
            for caller in RolePrincipals.Caller.allCases {
                let metadata = try #require(cast.metadata[caller])
                let outcome = await statusCode { try await row.call(cast, metadata) }

                // Then the allowed get past the access check, the others are refused naming what they need
                if row.needs.allows(caller) {
                    #expect(outcome == nil, "\(row.method) as \(caller.rawValue): \(String(describing: outcome))")
                } else {
                    #expect(outcome?.0 == .permissionDenied, "\(row.method) as \(caller.rawValue): \(String(describing: outcome))")
                    let needed = row.needs == .admin ? "only an admin principal may" : "it needs \(row.needs.rawValue) on workspace '\(cast.workspace)'"
                    #expect(outcome?.1.contains(needed) == true, "\(row.method) as \(caller.rawValue): \(outcome?.1 ?? "")")
                }
            }
        }
    }

    @Test("The admin principal is Owner of every workspace it did not create")
    func adminIsOwnerEverywhere() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            // Given a workspace an Owner created
            let cast = try await RolePrincipals.make(server)
            let owner = try #require(cast.metadata[.owner])
            _ = try await server.createWorkspace("owned", metadata: owner)

            // When the admin assigns a role there, Then it may
            var assign = AssignRoleRequest()
            assign.clientID = cast.bystander
            assign.workspace = "owned"
            assign.role = .contributor
            let assigned: RoleAssignment = try await server.client.unary(ModelGateMethods.Identity.assignRole, assign, metadata: cast.admin)
            #expect(assigned.role == .contributor)
        }
    }

    /// Runs `body`, treating `NOT_FOUND` as success: the call got past the access check.
    static func allowingNotFound(_ body: () async throws -> Void) async throws {
        try await Self.allowing(.notFound, body)
    }

    /// Runs `body`, treating `code` as success: the call got past the access check.
    static func allowing(_ code: StatusCode, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as RPCError where error.code == code {
            return
        }
    }
}
