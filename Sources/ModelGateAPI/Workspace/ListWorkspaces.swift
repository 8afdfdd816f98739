public import ModelGateWire

/// Request of ListWorkspaces (`modelgate.v1.ListWorkspacesRequest`).
public struct ListWorkspacesRequest: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListWorkspacesRequest"
    public static let fields: [ProtoField<Self>] = []
}

/// Response of ListWorkspaces (`modelgate.v1.ListWorkspacesResponse`).
public struct ListWorkspacesResponse: ProtoMessage {
    /// The visible workspaces, ordered by name.
    public var workspaces: [Workspace] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListWorkspacesResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "workspaces", \.workspaces),
    ]
}
