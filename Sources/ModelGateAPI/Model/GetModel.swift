public import ModelGateWire

/// Request of GetModel (`modelgate.v1.GetModelRequest`).
public struct GetModelRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The model's name.
    public var name = ""
    /// The version; 0 means the latest.
    public var version: Int32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetModelRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .int32(3, "version", \.version),
    ]
}
