public import ModelGateWire

/// Request of CreateWorkspace (`modelgate.v1.CreateWorkspaceRequest`).
public struct CreateWorkspaceRequest: ProtoMessage {
    /// The new workspace's name.
    public var name = ""
    /// Its region; must be one ListRegions returns.
    public var region = ""
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.CreateWorkspaceRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .string(2, "region", \.region),
        .string(3, "description", \.description),
        .map(4, "tags", \.tags),
    ]
}
