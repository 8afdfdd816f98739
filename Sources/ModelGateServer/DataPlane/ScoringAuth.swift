internal import ModelGateAPI

/// How a service's scoring calls authenticate.
enum ScoringAuth: Sendable {
    /// No credentials needed (ACI's default, `auth_enabled=False`).
    case none
    /// The service's primary or secondary key (AKS's default).
    case keys(KeyAuthenticator)
    /// A JWT from the workspace's token service (`token_auth_enabled`), verified locally.
    case token(TokenAuthenticator)

    /// Checks a call's metadata.
    ///
    /// - Throws: ``RPCError`` `UNAUTHENTICATED`.
    func authenticate(metadata: [String: String]) throws(RPCError) {
        switch self {
        case .none: return
        case .keys(let authenticator): try authenticator.authenticate(metadata: metadata)
        case .token(let authenticator): try authenticator.authenticate(metadata: metadata)
        }
    }
}
