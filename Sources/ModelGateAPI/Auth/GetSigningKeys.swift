public import ModelGateWire

/// Request of GetSigningKeys (`modelgate.v1.GetSigningKeysRequest`).
public struct GetSigningKeysRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetSigningKeysRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
    ]
}

/// Response of GetSigningKeys (`modelgate.v1.GetSigningKeysResponse`).
public struct GetSigningKeysResponse: ProtoMessage {
    /// The key set as a JWKS JSON document ({"keys": [...]}, RFC 7517).
    public var jwksJSON = ""
    /// The same keys, structured.
    public var keys: [JsonWebKey] = []
    /// The "iss" claim of the workspace's tokens.
    public var issuer = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetSigningKeysResponse"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "jwks_json", \.jwksJSON),
        .repeatedMessage(2, "keys", \.keys),
        .string(3, "issuer", \.issuer),
    ]
}
