public import Foundation

/// One principal's role on one workspace, as stored (at most one per pair).
public struct RoleAssignmentRecord: Sendable, Hashable {
    public var principalID: String
    /// The principal's client id, joined in for answers.
    public var clientID: String
    public var workspace: String
    public var role: WorkspaceRole
    /// Client id of the principal who assigned it (empty for the server itself).
    public var assignedBy: String
    public var assignedAt: Date

    public init(principalID: String, clientID: String, workspace: String, role: WorkspaceRole, assignedBy: String, assignedAt: Date) {
        self.principalID = principalID
        self.clientID = clientID
        self.workspace = workspace
        self.role = role
        self.assignedBy = assignedBy
        self.assignedAt = assignedAt
    }
}
