public import Foundation

/// The principal a control-plane call acts as, with its roles at call time.
public struct AuthenticatedCaller: Sendable, Hashable {
    public var principal: PrincipalRecord
    public var roleAssignments: [RoleAssignmentRecord]
    public var tokenExpiresAt: Date

    public init(principal: PrincipalRecord, roleAssignments: [RoleAssignmentRecord], tokenExpiresAt: Date) {
        self.principal = principal
        self.roleAssignments = roleAssignments
        self.tokenExpiresAt = tokenExpiresAt
    }

    /// The caller's role on `workspace`; an admin is `Owner` of every workspace.
    public func role(on workspace: String) -> WorkspaceRole? {
        if self.principal.isAdmin { return .owner }
        return self.roleAssignments.first { $0.workspace.lowercased() == workspace.lowercased() }?.role
    }
}
