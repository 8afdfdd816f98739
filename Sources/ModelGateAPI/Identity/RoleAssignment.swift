public import ModelGateWire

/// One principal's role on one workspace (`modelgate.v1.RoleAssignment`).
public struct RoleAssignment: ProtoMessage {
    /// The principal's client id.
    public var clientID = ""
    /// The workspace's name.
    public var workspace = ""
    /// The role held.
    public var role = Role.unspecified
    /// When the role was assigned, in Unix milliseconds.
    public var assignedAtUnixMs: Int64 = 0
    /// Client id of the principal who assigned it.
    public var assignedBy = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.RoleAssignment"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "client_id", \.clientID),
        .string(2, "workspace", \.workspace),
        .enumeration(3, "role", \.role),
        .int64(4, "assigned_at_unix_ms", \.assignedAtUnixMs),
        .string(5, "assigned_by", \.assignedBy),
    ]
}
