/// The JOSE header of a scoring token (RFC 7515 §4).
struct TokenHeader: Codable, Sendable, Hashable {
    /// The signature algorithm; this server issues and accepts only `ES256`.
    var alg: String
    /// The media type, `JWT` when present.
    var typ: String?
    /// Which of the workspace's signing keys signed it.
    var kid: String?

    /// The only algorithm accepted: fixed here, never taken from the token,
    /// so `none` or `HS256` with the public key as its secret cannot get in.
    static let algorithm = "ES256"
}
