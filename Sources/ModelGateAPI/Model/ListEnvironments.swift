public import ModelGateWire

/// Request of ListEnvironments (`modelgate.v1.ListEnvironmentsRequest`).
public struct ListEnvironmentsRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// Only versions of this environment, when not empty.
    public var name = ""
    /// Only the latest version of each environment.
    public var latestOnly = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListEnvironmentsRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .bool(3, "latest_only", \.latestOnly),
    ]
}

/// Response of ListEnvironments (`modelgate.v1.ListEnvironmentsResponse`).
public struct ListEnvironmentsResponse: ProtoMessage {
    /// The matching environments, ordered by name, then version.
    public var environments: [Environment] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListEnvironmentsResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "environments", \.environments),
    ]
}
