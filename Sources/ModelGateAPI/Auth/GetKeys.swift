public import ModelGateWire

/// Request of GetKeys (`modelgate.v1.GetKeysRequest`).
public struct GetKeysRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's or endpoint's name.
    public var service = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetKeysRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "service", \.service),
    ]
}

/// Response of GetKeys (`modelgate.v1.GetKeysResponse`).
public struct GetKeysResponse: ProtoMessage {
    /// The primary key.
    public var primaryKey = ""
    /// The secondary key.
    public var secondaryKey = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetKeysResponse"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "primary_key", \.primaryKey),
        .string(2, "secondary_key", \.secondaryKey),
    ]
}
