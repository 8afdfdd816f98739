public import ModelGateWire

/// Request of GetToken (`modelgate.v1.GetTokenRequest`).
public struct GetTokenRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's or endpoint's name.
    public var service = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetTokenRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "service", \.service),
    ]
}

/// Response of GetToken (`modelgate.v1.GetTokenResponse`).
public struct GetTokenResponse: ProtoMessage {
    /// The JWT to send as "authorization: Bearer <token>".
    public var token = ""
    /// The token's type, always "Bearer".
    public var tokenType = ""
    /// After this time the client must fetch a new token, in Unix milliseconds.
    public var refreshByUnixMs: Int64 = 0
    /// When the token stops being accepted, in Unix milliseconds; after refresh_by.
    public var expiresAtUnixMs: Int64 = 0
    /// The region whose token service issued it (the workspace's).
    public var region = ""
    /// Id of the signing key, the JWT header's "kid".
    public var keyID = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetTokenResponse"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "token", \.token),
        .string(2, "token_type", \.tokenType),
        .int64(3, "refresh_by_unix_ms", \.refreshByUnixMs),
        .int64(4, "expires_at_unix_ms", \.expiresAtUnixMs),
        .string(5, "region", \.region),
        .string(6, "key_id", \.keyID),
    ]
}
