/// The claims of a scoring token (RFC 7519 §4.1), all required.
///
/// Times are whole seconds since 1970, as JWT's `NumericDate`. `aud` is a
/// single string: this server issues one audience per token and refuses the
/// array form rather than guess which member was meant.
struct TokenClaims: Codable, Sendable, Hashable {
    /// The issuer: the workspace's token service, ``issuer(workspace:)``.
    var iss: String
    /// The audience: the one service the token is for, ``audience(workspace:service:)``.
    var aud: String
    /// The subject: the client id of the principal it was issued to.
    var sub: String
    /// Issued at.
    var iat: Int64
    /// Not valid before.
    var nbf: Int64
    /// Not valid from this time on.
    var exp: Int64

    /// The `iss` of `workspace`'s tokens.
    static func issuer(workspace: String) -> String { "modelgate://\(workspace)" }

    /// The `aud` of tokens for `service` in `workspace`.
    static func audience(workspace: String, service: String) -> String { "\(workspace)/\(service)" }
}
