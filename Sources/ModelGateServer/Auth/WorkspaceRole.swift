/// A role a principal holds on one workspace, as in Azure RBAC.
///
/// Ordered by what it allows: `reader < contributor < owner`. `Reader` is the
/// least role that may fetch a scoring token; `Contributor` may change the
/// workspace's resources; `Owner` may also assign roles and delete it. The
/// wire enum is `modelgate.v1.Role`; this is the server's comparable form.
public enum WorkspaceRole: String, Sendable, CaseIterable, Comparable {
    case reader = "Reader"
    case contributor = "Contributor"
    case owner = "Owner"

    private var rank: Int {
        switch self {
        case .reader: 0
        case .contributor: 1
        case .owner: 2
        }
    }

    public static func < (lhs: WorkspaceRole, rhs: WorkspaceRole) -> Bool { lhs.rank < rhs.rank }
}
