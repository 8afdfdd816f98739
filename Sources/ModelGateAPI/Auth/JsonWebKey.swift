public import ModelGateWire

/// A public signing key, with RFC 7517/7518 member names; coordinates and moduli are base64url without padding
/// (`modelgate.v1.JsonWebKey`).
public struct JsonWebKey: ProtoMessage {
    /// Key id ("kid").
    public var kid = ""
    /// Key type ("kty"), such as "EC", "RSA" or "OKP".
    public var kty = ""
    /// Algorithm ("alg"), such as "ES256".
    public var alg = ""
    /// Public key use ("use"), always "sig".
    public var use = ""
    /// Curve ("crv") for EC and OKP keys, such as "P-256".
    public var crv = ""
    /// X coordinate ("x") for EC and OKP keys.
    public var x = ""
    /// Y coordinate ("y") for EC keys.
    public var y = ""
    /// Modulus ("n") for RSA keys.
    public var n = ""
    /// Exponent ("e") for RSA keys.
    public var e = ""
    /// When the key started signing, in Unix milliseconds.
    public var notBeforeUnixMs: Int64 = 0
    /// When the key stops verifying (after its last token expires), in Unix milliseconds; 0 while it is the
    /// current signing key.
    public var notAfterUnixMs: Int64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.JsonWebKey"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "kid", \.kid),
        .string(2, "kty", \.kty),
        .string(3, "alg", \.alg),
        .string(4, "use", \.use),
        .string(5, "crv", \.crv),
        .string(6, "x", \.x),
        .string(7, "y", \.y),
        .string(8, "n", \.n),
        .string(9, "e", \.e),
        .int64(10, "not_before_unix_ms", \.notBeforeUnixMs),
        .int64(11, "not_after_unix_ms", \.notAfterUnixMs),
    ]
}
