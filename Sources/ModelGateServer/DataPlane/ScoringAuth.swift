internal import ModelGateAPI

/// How a service's scoring calls authenticate.
enum ScoringAuth: Sendable {
    /// No credentials needed (ACI's default, `auth_enabled=False`).
    case none
    /// The service's primary or secondary key (AKS's default).
    case keys(KeyAuthenticator)

    /// Checks a call's metadata.
    ///
    /// - Throws: ``RPCError`` `UNAUTHENTICATED`.
    func authenticate(metadata: [String: String]) throws(RPCError) {
        switch self {
        case .none: return
        case .keys(let authenticator): try authenticator.authenticate(metadata: metadata)
        }
    }
}
