public import Foundation

/// The principal a control-plane call acts as, with its roles at call time.
public struct AuthenticatedCaller: Sendable, Hashable {
    public var principal: PrincipalRecord
    public var roleAssignments: [RoleAssignmentRecord]
    public var tokenExpiresAt: Date
    /// Which regions were down when the call was authenticated; checked by
    /// ``AccessPolicy/require(_:on:_:to:)`` so that a workspace in a downed
    /// region answers `UNAVAILABLE` without a database read.
    public var regions: RegionAvailability.Snapshot

    public init(
        principal: PrincipalRecord, roleAssignments: [RoleAssignmentRecord], tokenExpiresAt: Date,
        regions: RegionAvailability.Snapshot = .allAvailable
    ) {
        self.principal = principal
        self.roleAssignments = roleAssignments
        self.tokenExpiresAt = tokenExpiresAt
        self.regions = regions
    }

    /// The caller's role on `workspace`; an admin is `Owner` of every workspace.
    public func role(on workspace: String) -> WorkspaceRole? {
        if self.principal.isAdmin { return .owner }
        return self.roleAssignments.first { $0.workspace.lowercased() == workspace.lowercased() }?.role
    }
}
