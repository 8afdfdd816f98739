import Foundation
import ModelGateAPI
import ModelGateRPC
import Testing

/// A workspace with one signed-in principal per role (and one with no role),
/// made over the wire by the admin: the cast of the role-table tests.
struct RolePrincipals: Sendable {
    /// Who makes a call in a role-table row.
    enum Caller: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case noRole = "no role"
        case reader = "Reader"
        case contributor = "Contributor"
        case owner = "Owner"

        var testDescription: String { self.rawValue }

        var wireRole: Role? {
            switch self {
            case .noRole: nil
            case .reader: .reader
            case .contributor: .contributor
            case .owner: .owner
            }
        }
    }

    let server: RunningServer
    let workspace: String
    /// The admin's `authorization` metadata.
    let admin: [String: String]
    /// Each caller's `authorization` metadata.
    let metadata: [Caller: [String: String]]
    /// Each caller's client id.
    let clientIDs: [Caller: String]
    /// A principal with no role anywhere, for role assignments to act on.
    let bystander: String

    /// Creates `workspace` and the principals, assigns their roles, signs each in.
    static func make(_ server: RunningServer, workspace: String = "roles") async throws -> RolePrincipals {
        let admin = try await server.signIn()
        _ = try await server.createWorkspace(workspace, metadata: admin)
        var metadata: [Caller: [String: String]] = [:]
        var clientIDs: [Caller: String] = [:]
        for caller in Caller.allCases {
            let (clientID, secret) = try await Self.createPrincipal(caller.rawValue, server: server, admin: admin)
            if let role = caller.wireRole {
                var assign = AssignRoleRequest()
                assign.clientID = clientID
                assign.workspace = workspace
                assign.role = role
                let _: RoleAssignment = try await server.client.unary(ModelGateMethods.Identity.assignRole, assign, metadata: admin)
            }
            var signIn = SignInRequest()
            signIn.clientID = clientID
            signIn.clientSecret = secret
            let signedIn: SignInResponse = try await server.client.unary(ModelGateMethods.Identity.signIn, signIn)
            metadata[caller] = ["authorization": "Bearer \(signedIn.accessToken)"]
            clientIDs[caller] = clientID
        }
        let (bystander, _) = try await Self.createPrincipal("bystander", server: server, admin: admin)
        return RolePrincipals(
            server: server, workspace: workspace, admin: admin, metadata: metadata, clientIDs: clientIDs, bystander: bystander
        )
    }

    private static func createPrincipal(
        _ name: String, server: RunningServer, admin: [String: String]
    ) async throws -> (clientID: String, secret: String) {
        var create = CreatePrincipalRequest()
        create.displayName = name
        create.kind = .servicePrincipal
        let created: CreatePrincipalResponse = try await server.client.unary(ModelGateMethods.Identity.createPrincipal, create, metadata: admin)
        return (try #require(created.principal).clientID, created.clientSecret)
    }
}
