public import ModelGateAPI

/// Scoring tokens for services with token auth, after Azure's
/// `service.get_token()`, and the keys that verify them.
///
/// ```swift
/// let token = try await client.serviceToken(workspace: "ml-prod", service: "linreg")
/// let answer = try await client.score(workspace: "ml-prod", service: "linreg", body: body, key: token.token)
/// // Fetch a new one after token.refreshByUnixMs.
/// ```
extension ModelGateClient {
    /// Fetches a scoring token from the workspace's token service. Needs Reader.
    ///
    /// - Throws: ``RPCError`` `UNAVAILABLE` naming the region while the
    ///   workspace's region is down; `FAILED_PRECONDITION` for a service without token auth.
    public func serviceToken(workspace: String, service: String) async throws -> GetTokenResponse {
        var request = GetTokenRequest()
        request.workspace = workspace
        request.service = service
        return try await self.authorizedUnary(ModelGateMethods.Auth.getToken, request)
    }

    /// The workspace's token-signing public keys (a JWKS) and token issuer. Needs Reader.
    public func signingKeys(workspace: String) async throws -> GetSigningKeysResponse {
        var request = GetSigningKeysRequest()
        request.workspace = workspace
        return try await self.authorizedUnary(ModelGateMethods.Auth.getSigningKeys, request)
    }
}
