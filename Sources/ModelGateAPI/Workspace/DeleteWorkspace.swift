public import ModelGateWire

/// Request of DeleteWorkspace (`modelgate.v1.DeleteWorkspaceRequest`).
public struct DeleteWorkspaceRequest: ProtoMessage {
    /// The workspace's name.
    public var name = ""
    /// Also delete everything it owns; without this a non-empty workspace is refused with FAILED_PRECONDITION.
    public var force = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteWorkspaceRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .bool(2, "force", \.force),
    ]
}

/// Response of DeleteWorkspace (`modelgate.v1.DeleteWorkspaceResponse`).
public struct DeleteWorkspaceResponse: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteWorkspaceResponse"
    public static let fields: [ProtoField<Self>] = []
}
