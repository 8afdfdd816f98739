public import ModelGateWire

/// Request of ListRoleAssignments; the filters combine (`modelgate.v1.ListRoleAssignmentsRequest`).
public struct ListRoleAssignmentsRequest: ProtoMessage {
    /// Only this principal's assignments, when not empty.
    public var clientID = ""
    /// Only assignments on this workspace, when not empty.
    public var workspace = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListRoleAssignmentsRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "client_id", \.clientID),
        .string(2, "workspace", \.workspace),
    ]
}

/// Response of ListRoleAssignments (`modelgate.v1.ListRoleAssignmentsResponse`).
public struct ListRoleAssignmentsResponse: ProtoMessage {
    /// The matching assignments, ordered by workspace, then client id.
    public var roleAssignments: [RoleAssignment] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListRoleAssignmentsResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "role_assignments", \.roleAssignments),
    ]
}
