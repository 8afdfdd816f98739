import Foundation
import ModelGateAPI
import ModelGateRPC
@testable import ModelGateServer
import NIOPosix

/// The control-plane services over a migrated database, called directly
/// (without the transport), with an admin principal already signed in.
struct ControlPlaneHarness {
    let database: Database
    let principals: PrincipalStore
    let identity: IdentityService
    let workspaces: WorkspaceService
    let authenticator: Authenticator
    let admin: CredentialsFile

    init(database: Database, directory: String) async throws {
        self.database = database
        self.principals = PrincipalStore(database: database)
        let workspaceStore = WorkspaceStore(database: database)
        let hasher = SecretHasher(iterations: 1_000, threadPool: .singleton)
        let issuer = AccessTokenIssuer(sessions: SessionStore(database: database))
        self.authenticator = Authenticator(issuer: issuer, principals: self.principals)
        self.identity = IdentityService(
            principals: self.principals, workspaces: workspaceStore, issuer: issuer,
            authenticator: self.authenticator, hasher: hasher, clock: .system
        )
        self.workspaces = WorkspaceService(
            workspaces: workspaceStore, regions: RegionStore(database: database), authenticator: self.authenticator, clock: .system
        )
        let path = directory + "/credentials.json"
        try await AdminBootstrap.ensureAdmin(principals: self.principals, hasher: hasher, clock: .system, credentialsPath: path, logger: quietLogger)
        self.admin = try CredentialsFile.read(from: path)
    }

    var context: ServerCallContext {
        ServerCallContext(method: "/test", metadata: [:], requestID: "r", deadline: nil, peer: "test", logger: quietLogger)
    }

    /// Signs in and authenticates, as the router does for each call.
    func caller(clientID: String, secret: String) async throws -> AuthenticatedCaller {
        var request = SignInRequest()
        request.clientID = clientID
        request.clientSecret = secret
        let response = try await self.identity.signIn(request, context: self.context)
        return try await self.authenticator.authenticate(metadata: ["authorization": "Bearer \(response.accessToken)"])
    }

    func adminCaller() async throws -> AuthenticatedCaller {
        try await self.caller(clientID: self.admin.clientID, secret: self.admin.clientSecret)
    }

    /// Creates a non-admin user and returns it signed in.
    func userCaller(_ name: String = "user") async throws -> AuthenticatedCaller {
        var request = CreatePrincipalRequest()
        request.displayName = name
        request.kind = .user
        let created = try await self.identity.createPrincipal(request, caller: try await self.adminCaller(), context: self.context)
        return try await self.caller(clientID: created.principal?.clientID ?? "", secret: created.clientSecret)
    }

    /// The same caller with its role assignments read again.
    func refreshed(_ caller: AuthenticatedCaller) async throws -> AuthenticatedCaller {
        AuthenticatedCaller(
            principal: caller.principal,
            roleAssignments: try await self.principals.roleAssignments(principalID: caller.principal.id),
            tokenExpiresAt: caller.tokenExpiresAt
        )
    }

    func createWorkspace(_ name: String, region: String = "westeurope", as caller: AuthenticatedCaller) async throws -> Workspace {
        var request = CreateWorkspaceRequest()
        request.name = name
        request.region = region
        return try await self.workspaces.createWorkspace(request, caller: caller, context: self.context)
    }
}

/// Runs `body` with a harness over a fresh database.
func withControlPlane(_ body: (ControlPlaneHarness) async throws -> Void) async throws {
    try await withMigratedDatabase { database, directory in
        try await body(try await ControlPlaneHarness(database: database, directory: directory))
    }
}
