public import ModelGateWire

/// Request of SignIn (`modelgate.v1.SignInRequest`).
public struct SignInRequest: ProtoMessage {
    /// The principal's client id.
    public var clientID = ""
    /// The principal's client secret.
    public var clientSecret = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.SignInRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "client_id", \.clientID),
        .string(2, "client_secret", \.clientSecret),
    ]
}

/// Response of SignIn (`modelgate.v1.SignInResponse`).
public struct SignInResponse: ProtoMessage {
    /// The access token to send as "authorization: Bearer <token>".
    public var accessToken = ""
    /// When the token stops being accepted, in Unix milliseconds.
    public var expiresAtUnixMs: Int64 = 0
    /// The signed-in principal with its role assignments.
    public var principal: Principal?
    /// The token's type, always "Bearer".
    public var tokenType = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.SignInResponse"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "access_token", \.accessToken),
        .int64(2, "expires_at_unix_ms", \.expiresAtUnixMs),
        .message(3, "principal", \.principal),
        .string(4, "token_type", \.tokenType),
    ]
}
