public import ModelGateWire

/// Request of RemoveRole (`modelgate.v1.RemoveRoleRequest`).
public struct RemoveRoleRequest: ProtoMessage {
    /// The principal's client id.
    public var clientID = ""
    /// The workspace's name.
    public var workspace = ""
    /// The role to take away; UNSPECIFIED takes whatever role the principal has there.
    public var role = Role.unspecified
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.RemoveRoleRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "client_id", \.clientID),
        .string(2, "workspace", \.workspace),
        .enumeration(3, "role", \.role),
    ]
}

/// Response of RemoveRole (`modelgate.v1.RemoveRoleResponse`).
public struct RemoveRoleResponse: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.RemoveRoleResponse"
    public static let fields: [ProtoField<Self>] = []
}
