public import ModelGateWire

/// Request of AssignRole (`modelgate.v1.AssignRoleRequest`).
public struct AssignRoleRequest: ProtoMessage {
    /// The principal's client id.
    public var clientID = ""
    /// The workspace's name.
    public var workspace = ""
    /// The role to give.
    public var role = Role.unspecified
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.AssignRoleRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "client_id", \.clientID),
        .string(2, "workspace", \.workspace),
        .enumeration(3, "role", \.role),
    ]
}
