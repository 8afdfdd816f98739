public import ModelGateWire

/// Request of GetWorkspace (`modelgate.v1.GetWorkspaceRequest`).
public struct GetWorkspaceRequest: ProtoMessage {
    /// The workspace's name.
    public var name = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetWorkspaceRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
    ]
}
