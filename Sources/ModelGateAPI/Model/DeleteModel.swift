public import ModelGateWire

/// Request of DeleteModel (`modelgate.v1.DeleteModelRequest`).
public struct DeleteModelRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The model's name.
    public var name = ""
    /// The version to delete; must be given.
    public var version: Int32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteModelRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .int32(3, "version", \.version),
    ]
}

/// Response of DeleteModel (`modelgate.v1.DeleteModelResponse`).
public struct DeleteModelResponse: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteModelResponse"
    public static let fields: [ProtoField<Self>] = []
}
