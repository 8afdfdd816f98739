public import ModelGateAPI

/// Principals and role assignments, after `az ad sp create-for-rbac` and
/// `az role assignment create`.
///
/// ```swift
/// let created = try await admin.createPrincipal(displayName: "scorer")
/// try await admin.assignRole(.reader, to: created.principal?.clientID ?? "", on: "ml-prod")
/// // created.clientSecret is shown only now; the server keeps a salted hash.
/// ```
extension ModelGateClient {
    /// Creates a principal (a service principal unless `kind` says otherwise).
    /// Needs an admin.
    ///
    /// - Returns: The principal and its client secret, which the server never returns again.
    public func createPrincipal(
        displayName: String, kind: PrincipalKind = .servicePrincipal, admin: Bool = false
    ) async throws -> CreatePrincipalResponse {
        var request = CreatePrincipalRequest()
        request.displayName = displayName
        request.kind = kind
        request.admin = admin
        return try await self.authorizedUnary(ModelGateMethods.Identity.createPrincipal, request)
    }

    /// Gives `clientID` `role` on `workspace`, replacing its previous role there.
    /// Needs Owner on the workspace.
    @discardableResult
    public func assignRole(_ role: Role, to clientID: String, on workspace: String) async throws -> RoleAssignment {
        var request = AssignRoleRequest()
        request.clientID = clientID
        request.workspace = workspace
        request.role = role
        return try await self.authorizedUnary(ModelGateMethods.Identity.assignRole, request)
    }
}
