public import ModelGateWire

/// Request of RegenKey, after Azure's regen_key (`modelgate.v1.RegenKeyRequest`).
public struct RegenKeyRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's or endpoint's name.
    public var service = ""
    /// Which key to replace.
    public var keyType = KeyType.unspecified
    /// The new value (Azure's set_key); empty means generate a random one.
    public var keyValue = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.RegenKeyRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "service", \.service),
        .enumeration(3, "key_type", \.keyType),
        .string(4, "key_value", \.keyValue),
    ]
}

/// Response of RegenKey (`modelgate.v1.RegenKeyResponse`).
public struct RegenKeyResponse: ProtoMessage {
    /// The primary key after the change.
    public var primaryKey = ""
    /// The secondary key after the change.
    public var secondaryKey = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.RegenKeyResponse"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "primary_key", \.primaryKey),
        .string(2, "secondary_key", \.secondaryKey),
    ]
}
