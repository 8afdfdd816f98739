public import ModelGateWire

/// Request of ListModels; the filters combine (`modelgate.v1.ListModelsRequest`).
public struct ListModelsRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// Only versions of this model, when not empty.
    public var name = ""
    /// Only models carrying all of these tags.
    public var tags: [String: String] = [:]
    /// Only the latest version of each model.
    public var latestOnly = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListModelsRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .map(3, "tags", \.tags),
        .bool(4, "latest_only", \.latestOnly),
    ]
}

/// Response of ListModels (`modelgate.v1.ListModelsResponse`).
public struct ListModelsResponse: ProtoMessage {
    /// The matching models, ordered by name, then version.
    public var models: [Model] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListModelsResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "models", \.models),
    ]
}
