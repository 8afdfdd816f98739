import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("IdentityService")
struct IdentityServiceTests {
    @Test("Signing in with the bootstrap credentials returns a Bearer token and the admin principal")
    func signInWithBootstrapCredentials() async throws {
        try await withControlPlane { harness in
            var request = SignInRequest()
            request.clientID = harness.admin.clientID
            request.clientSecret = harness.admin.clientSecret

            let response = try await harness.identity.signIn(request, context: harness.context)

            #expect(response.tokenType == "Bearer")
            #expect(response.accessToken.count == 43)
            #expect(response.expiresAtUnixMs > 0)
            #expect(response.principal?.admin == true)
            #expect(response.principal?.clientID == harness.admin.clientID)
        }
    }

    @Test("A wrong secret and an unknown client id get the same UNAUTHENTICATED answer")
    func badCredentialsAreIndistinguishable() async throws {
        try await withControlPlane { harness in
            var wrongSecret = SignInRequest()
            wrongSecret.clientID = harness.admin.clientID
            wrongSecret.clientSecret = "nope"
            var unknownID = SignInRequest()
            unknownID.clientID = "nobody"
            unknownID.clientSecret = harness.admin.clientSecret

            let first = await #expect(throws: RPCError.self) { try await harness.identity.signIn(wrongSecret, context: harness.context) }
            let second = await #expect(throws: RPCError.self) { try await harness.identity.signIn(unknownID, context: harness.context) }

            #expect(first?.code == .unauthenticated)
            #expect(first?.message == second?.message)
        }
    }

    @Test("Only an admin may create principals; the new secret signs in")
    func createPrincipalIsAdminOnly() async throws {
        try await withControlPlane { harness in
            let user = try await harness.userCaller("alice")
            #expect(!user.principal.isAdmin)
            #expect(user.principal.displayName == "alice")

            var request = CreatePrincipalRequest()
            request.displayName = "mallory"
            request.kind = .user
            let error = await #expect(throws: RPCError.self) {
                try await harness.identity.createPrincipal(request, caller: user, context: harness.context)
            }
            #expect(error?.code == .permissionDenied)
        }
    }

    @Test("A principal without a kind or a display name is INVALID_ARGUMENT")
    func createPrincipalValidates() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            var noKind = CreatePrincipalRequest()
            noKind.displayName = "x"
            var noName = CreatePrincipalRequest()
            noName.kind = .servicePrincipal
            for request in [noKind, noName] {
                let error = await #expect(throws: RPCError.self) {
                    try await harness.identity.createPrincipal(request, caller: admin, context: harness.context)
                }
                #expect(error?.code == .invalidArgument)
            }
        }
    }

    @Test("An Owner assigns and removes roles; the grantee then sees the workspace")
    func ownerAssignsAndRemovesRoles() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            let bob = try await harness.userCaller("bob")
            _ = try await harness.createWorkspace("shared", as: admin)

            var assign = AssignRoleRequest()
            assign.clientID = bob.principal.clientID
            assign.workspace = "shared"
            assign.role = .reader
            let assignment = try await harness.identity.assignRole(assign, caller: admin)
            #expect(assignment.role == .reader)
            #expect(assignment.assignedBy == admin.principal.clientID)

            let bobAsReader = try await harness.refreshed(bob)
            var get = GetWorkspaceRequest()
            get.name = "shared"
            #expect(try await harness.workspaces.getWorkspace(get, caller: bobAsReader).name == "shared")
            var delete = DeleteWorkspaceRequest()
            delete.name = "shared"
            let denied = await #expect(throws: RPCError.self) {
                try await harness.workspaces.deleteWorkspace(delete, caller: bobAsReader, context: harness.context)
            }
            #expect(denied?.code == .permissionDenied)
            #expect(denied?.message.contains("needs Owner on workspace 'shared' and holds Reader") == true)

            var remove = RemoveRoleRequest()
            remove.clientID = bob.principal.clientID
            remove.workspace = "shared"
            _ = try await harness.identity.removeRole(remove, caller: admin)
            let again = await #expect(throws: RPCError.self) { try await harness.identity.removeRole(remove, caller: admin) }
            #expect(again?.code == .notFound)
            let bobWithout = try await harness.refreshed(bob)
            await #expect(throws: RPCError.self) { try await harness.workspaces.getWorkspace(get, caller: bobWithout) }
        }
    }

    @Test("A non-owner cannot assign roles, and unknown principals or workspaces are NOT_FOUND")
    func assignRoleChecks() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            let eve = try await harness.userCaller("eve")
            _ = try await harness.createWorkspace("guarded", as: admin)

            var assign = AssignRoleRequest()
            assign.clientID = eve.principal.clientID
            assign.workspace = "guarded"
            assign.role = .owner
            let denied = await #expect(throws: RPCError.self) { try await harness.identity.assignRole(assign, caller: eve) }
            #expect(denied?.code == .permissionDenied)

            assign.workspace = "missing"
            await #expect(throws: StoreError.notFound(kind: "workspace", name: "missing")) {
                try await harness.identity.assignRole(assign, caller: admin)
            }
            assign.workspace = "guarded"
            assign.clientID = "ghost"
            await #expect(throws: StoreError.notFound(kind: "principal", name: "ghost")) {
                try await harness.identity.assignRole(assign, caller: admin)
            }
            assign.role = .unspecified
            let invalid = await #expect(throws: RPCError.self) { try await harness.identity.assignRole(assign, caller: admin) }
            #expect(invalid?.code == .invalidArgument)
        }
    }

    @Test("An admin lists and deletes principals but cannot delete itself")
    func listAndDeletePrincipals() async throws {
        try await withControlPlane { harness in
            let admin = try await harness.adminCaller()
            let carol = try await harness.userCaller("carol")

            let listed = try await harness.identity.listPrincipals(caller: admin).principals
            #expect(Set(listed.map(\.displayName)) == ["admin", "carol"])

            var deleteSelf = DeletePrincipalRequest()
            deleteSelf.clientID = admin.principal.clientID
            let refused = await #expect(throws: RPCError.self) {
                try await harness.identity.deletePrincipal(deleteSelf, caller: admin, context: harness.context)
            }
            #expect(refused?.code == .failedPrecondition)

            var deleteCarol = DeletePrincipalRequest()
            deleteCarol.clientID = carol.principal.clientID
            _ = try await harness.identity.deletePrincipal(deleteCarol, caller: admin, context: harness.context)
            #expect(try await harness.identity.listPrincipals(caller: admin).principals.count == 1)
            await #expect(throws: RPCError.self) { try await harness.identity.listPrincipals(caller: carol) }
        }
    }

    @Test("GetPrincipal with an empty client id returns the caller; others' need an admin")
    func getPrincipal() async throws {
        try await withControlPlane { harness in
            let dave = try await harness.userCaller("dave")
            let admin = try await harness.adminCaller()
            #expect(try await harness.identity.getPrincipal(GetPrincipalRequest(), caller: dave).displayName == "dave")
            var other = GetPrincipalRequest()
            other.clientID = admin.principal.clientID
            await #expect(throws: RPCError.self) { try await harness.identity.getPrincipal(other, caller: dave) }
            other.clientID = dave.principal.clientID
            #expect(try await harness.identity.getPrincipal(other, caller: admin).clientID == dave.principal.clientID)
        }
    }
}
