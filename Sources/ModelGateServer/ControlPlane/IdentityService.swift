internal import Foundation
internal import Logging
internal import ModelGateAPI
public import ModelGateRPC

/// `modelgate.v1.IdentityService`: sign-in, principals and role assignments.
///
/// Every call but `SignIn` needs an access token. Principal management is
/// admin-only; assigning and removing roles needs `Owner` on the workspace.
public struct IdentityService: Sendable {
    private let principals: PrincipalStore
    private let workspaces: WorkspaceStore
    private let issuer: AccessTokenIssuer
    private let authenticator: Authenticator
    private let hasher: SecretHasher
    private let clock: WallClock

    /// Longest display name accepted, in characters.
    static let maxDisplayNameLength = 256

    public init(
        principals: PrincipalStore, workspaces: WorkspaceStore, issuer: AccessTokenIssuer,
        authenticator: Authenticator, hasher: SecretHasher, clock: WallClock
    ) {
        self.principals = principals
        self.workspaces = workspaces
        self.issuer = issuer
        self.authenticator = authenticator
        self.hasher = hasher
        self.clock = clock
    }

    /// Adds this service's methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.publicUnary(ModelGateMethods.Identity.signIn) { (request: SignInRequest, context) in
            try await self.signIn(request, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Identity.createPrincipal, self.authenticator) { (request: CreatePrincipalRequest, caller, context) in
            try await self.createPrincipal(request, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Identity.getPrincipal, self.authenticator) { (request: GetPrincipalRequest, caller, _) in
            try await self.getPrincipal(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Identity.listPrincipals, self.authenticator) { (_: ListPrincipalsRequest, caller, _) in
            try await self.listPrincipals(caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Identity.deletePrincipal, self.authenticator) { (request: DeletePrincipalRequest, caller, context) in
            try await self.deletePrincipal(request, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Identity.assignRole, self.authenticator) { (request: AssignRoleRequest, caller, _) in
            try await self.assignRole(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Identity.removeRole, self.authenticator) { (request: RemoveRoleRequest, caller, _) in
            try await self.removeRole(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Identity.listRoleAssignments, self.authenticator) { (request: ListRoleAssignmentsRequest, caller, _) in
            try await self.listRoleAssignments(request, caller: caller)
        }
    }

    // MARK: Calls

    /// Exchanges a client id and secret for an access token.
    ///
    /// An unknown client id and a wrong secret get the same message and take
    /// the same time, so sign-in does not reveal which client ids exist.
    func signIn(_ request: SignInRequest, context: ServerCallContext) async throws -> SignInResponse {
        guard !request.clientID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "client_id is required")
        }
        guard !request.clientSecret.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "client_secret is required")
        }
        let rejected = RPCError(code: .unauthenticated, message: "sign-in failed: unknown client id or wrong client secret")
        guard let (principal, stored) = try await self.principals.credentials(clientID: request.clientID) else {
            try await self.hasher.verifyAgainstNothing(request.clientSecret)
            context.logger.debug("Sign-in refused", metadata: ["principal.client_id": "\(request.clientID)"])
            throw rejected
        }
        guard try await self.hasher.verify(request.clientSecret, against: stored) else {
            context.logger.debug("Sign-in refused", metadata: ["principal.client_id": "\(request.clientID)"])
            throw rejected
        }
        let issued = try await self.issuer.issue(to: principal.id)
        let roles = try await self.principals.roleAssignments(principalID: principal.id)
        var response = SignInResponse()
        response.accessToken = issued.token
        response.expiresAtUnixMs = issued.expiresAt.millisecondsSince1970
        response.principal = Principal(principal, roleAssignments: roles)
        response.tokenType = "Bearer"
        return response
    }

    /// Creates a principal with a fresh client id and secret. Admin only.
    func createPrincipal(_ request: CreatePrincipalRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> CreatePrincipalResponse {
        try AccessPolicy.requireAdmin(caller, to: "create principals")
        let displayName = request.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !displayName.isEmpty, displayName.count <= Self.maxDisplayNameLength else {
            throw RPCError(code: .invalidArgument, message: "display_name must be 1-\(Self.maxDisplayNameLength) characters")
        }
        let kind: PrincipalRecord.Kind
        switch request.kind {
        case .user: kind = .user
        case .servicePrincipal: kind = .servicePrincipal
        default:
            throw RPCError(code: .invalidArgument, message: "kind must be PRINCIPAL_KIND_USER or PRINCIPAL_KIND_SERVICE_PRINCIPAL")
        }
        let (record, secret) = try await Self.makePrincipal(
            displayName: displayName, kind: kind, isAdmin: request.admin, hasher: self.hasher, clock: self.clock
        )
        try await self.principals.create(record, secret: secret.hashed)
        context.logger.info("Created principal", metadata: [
            "principal.client_id": "\(record.clientID)", "principal.admin": "\(record.isAdmin)",
        ])
        var response = CreatePrincipalResponse()
        response.principal = Principal(record, roleAssignments: [])
        response.clientSecret = secret.plain
        return response
    }

    /// One principal; an empty client id means the caller. Others need an admin.
    func getPrincipal(_ request: GetPrincipalRequest, caller: AuthenticatedCaller) async throws -> Principal {
        let clientID = request.clientID.isEmpty ? caller.principal.clientID : request.clientID
        if clientID != caller.principal.clientID {
            try AccessPolicy.requireAdmin(caller, to: "read other principals")
        }
        guard let record = try await self.principals.principal(clientID: clientID) else {
            throw StoreError.notFound(kind: "principal", name: clientID)
        }
        return Principal(record, roleAssignments: try await self.principals.roleAssignments(principalID: record.id))
    }

    /// Every principal with its roles. Admin only.
    func listPrincipals(caller: AuthenticatedCaller) async throws -> ListPrincipalsResponse {
        try AccessPolicy.requireAdmin(caller, to: "list principals")
        let records = try await self.principals.list()
        let roles = Dictionary(grouping: try await self.principals.roleAssignments(), by: \.principalID)
        var response = ListPrincipalsResponse()
        response.principals = records.map { Principal($0, roleAssignments: roles[$0.id] ?? []) }
        return response
    }

    /// Deletes a principal with its roles and tokens. Admin only, and never oneself,
    /// so the last admin cannot lock everyone out by accident.
    func deletePrincipal(_ request: DeletePrincipalRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> DeletePrincipalResponse {
        try AccessPolicy.requireAdmin(caller, to: "delete principals")
        guard !request.clientID.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "client_id is required")
        }
        guard request.clientID != caller.principal.clientID else {
            throw RPCError(code: .failedPrecondition, message: "a principal cannot delete itself; sign in as another admin")
        }
        try await self.principals.delete(clientID: request.clientID)
        context.logger.info("Deleted principal", metadata: ["principal.deleted_client_id": "\(request.clientID)"])
        return DeletePrincipalResponse()
    }

    /// Gives a principal a role on a workspace, replacing its previous one. Needs Owner there.
    func assignRole(_ request: AssignRoleRequest, caller: AuthenticatedCaller) async throws -> RoleAssignment {
        guard let role = WorkspaceRole(wireRole: request.role) else {
            throw RPCError(code: .invalidArgument, message: "role must be ROLE_READER, ROLE_CONTRIBUTOR or ROLE_OWNER")
        }
        let (principal, workspace) = try await self.resolve(clientID: request.clientID, workspace: request.workspace)
        try AccessPolicy.require(.owner, on: workspace.name, caller, to: "assign roles")
        let record = try await self.principals.assign(
            role, on: workspace.name, to: principal.id, by: caller.principal.clientID, at: self.clock.now()
        )
        return RoleAssignment(record)
    }

    /// Takes a principal's role on a workspace away. Needs Owner there.
    func removeRole(_ request: RemoveRoleRequest, caller: AuthenticatedCaller) async throws -> RemoveRoleResponse {
        let role = WorkspaceRole(wireRole: request.role)
        guard role != nil || request.role == .unspecified else {
            throw RPCError(code: .invalidArgument, message: "unknown role \(request.role.rawValue)")
        }
        let (principal, workspace) = try await self.resolve(clientID: request.clientID, workspace: request.workspace)
        try AccessPolicy.require(.owner, on: workspace.name, caller, to: "remove roles")
        guard try await self.principals.removeRole(role, on: workspace.name, from: principal.id) else {
            let which = role.map { "role \($0.rawValue)" } ?? "a role"
            throw RPCError(code: .notFound, message: "principal '\(principal.clientID)' holds no \(which) on workspace '\(workspace.name)'")
        }
        return RemoveRoleResponse()
    }

    /// Role assignments, filtered. An admin sees all; others see their own and
    /// those on workspaces where they hold a role.
    func listRoleAssignments(_ request: ListRoleAssignmentsRequest, caller: AuthenticatedCaller) async throws -> ListRoleAssignmentsResponse {
        var principalID: String?
        if !request.clientID.isEmpty {
            guard let principal = try await self.principals.principal(clientID: request.clientID) else {
                throw StoreError.notFound(kind: "principal", name: request.clientID)
            }
            principalID = principal.id
        }
        let all = try await self.principals.roleAssignments(
            principalID: principalID, workspace: request.workspace.isEmpty ? nil : request.workspace
        )
        let visible = all.filter { assignment in
            caller.principal.isAdmin || assignment.principalID == caller.principal.id
                || caller.role(on: assignment.workspace) != nil
        }
        var response = ListRoleAssignmentsResponse()
        response.roleAssignments = visible.map(RoleAssignment.init)
        return response
    }

    // MARK: Helpers

    /// The principal and workspace a role call names, or NOT_FOUND / INVALID_ARGUMENT.
    private func resolve(clientID: String, workspace name: String) async throws -> (PrincipalRecord, WorkspaceRecord) {
        guard !clientID.isEmpty else { throw RPCError(code: .invalidArgument, message: "client_id is required") }
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "workspace is required") }
        guard let workspace = try await self.workspaces.workspace(named: name) else {
            throw StoreError.notFound(kind: "workspace", name: name)
        }
        guard let principal = try await self.principals.principal(clientID: clientID) else {
            throw StoreError.notFound(kind: "principal", name: clientID)
        }
        return (principal, workspace)
    }

    /// A new principal record with a server-chosen client id (a UUID, as Azure
    /// uses) and a 256-bit secret, returned once in plain text and stored hashed.
    static func makePrincipal(
        displayName: String, kind: PrincipalRecord.Kind, isAdmin: Bool, hasher: SecretHasher, clock: WallClock
    ) async throws -> (PrincipalRecord, (plain: String, hashed: HashedSecret)) {
        let secret = try SecureRandom.token(byteCount: 32)
        let hashed = try await hasher.hash(secret)
        let now = Date(millisecondsSince1970: clock.now().millisecondsSince1970)
        let record = PrincipalRecord(
            id: UUID().uuidString.lowercased(), clientID: UUID().uuidString.lowercased(),
            displayName: displayName, kind: kind, isAdmin: isAdmin, createdAt: now
        )
        return (record, (secret, hashed))
    }
}
