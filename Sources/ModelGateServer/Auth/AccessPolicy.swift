public import ModelGateAPI

/// Decides whether an authenticated caller may do something, and says why not.
///
/// Two rules: administrative calls need an admin principal, and workspace
/// calls need at least a given role on the workspace (an admin is `Owner`
/// everywhere). Refusals are `PERMISSION_DENIED` naming the caller, the role
/// needed and the workspace.
///
/// A workspace call also needs the workspace's region to be up: every
/// workspace's control plane lives in its region, so while the region is
/// marked unavailable its calls answer `UNAVAILABLE` (after the role check,
/// so a caller without a role learns nothing), from the caller's in-memory
/// ``RegionAvailability/Snapshot``.
///
/// | Role        | May                                                            |
/// |-------------|----------------------------------------------------------------|
/// | Reader      | read the workspace and its resources, fetch scoring tokens      |
/// | Contributor | also create, change and delete resources, read and regen keys   |
/// | Owner       | also assign and remove roles, delete the workspace              |
public enum AccessPolicy {
    /// - Throws: `PERMISSION_DENIED` unless `caller` is an admin.
    public static func requireAdmin(_ caller: AuthenticatedCaller, to action: String) throws(RPCError) {
        guard caller.principal.isAdmin else {
            throw RPCError(
                code: .permissionDenied,
                message: "principal '\(caller.principal.clientID)' may not \(action): only an admin principal may"
            )
        }
    }

    /// - Throws: `PERMISSION_DENIED` unless `caller` holds `role` or more on
    ///   `workspace`; then `UNAVAILABLE` while the workspace's region is down.
    public static func require(
        _ role: WorkspaceRole, on workspace: String, _ caller: AuthenticatedCaller, to action: String
    ) throws(RPCError) {
        try Self.requireRole(role, on: workspace, caller, to: action)
        try caller.regions.requireAvailable(workspace: workspace)
    }

    /// The role check alone, for the few workspace calls that the server
    /// answers itself rather than the workspace's region (the published
    /// token-signing keys), so they keep working in a region outage.
    ///
    /// - Throws: `PERMISSION_DENIED` unless `caller` holds `role` or more on `workspace`.
    public static func requireRole(
        _ role: WorkspaceRole, on workspace: String, _ caller: AuthenticatedCaller, to action: String
    ) throws(RPCError) {
        if let held = caller.role(on: workspace), held >= role { return }
        let held = caller.role(on: workspace).map { "holds \($0.rawValue)" } ?? "holds no role"
        throw RPCError(
            code: .permissionDenied,
            message: "principal '\(caller.principal.clientID)' may not \(action): it needs \(role.rawValue) on workspace '\(workspace)' and \(held) there"
        )
    }
}
