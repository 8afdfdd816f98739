internal import Foundation
internal import Logging
internal import ModelGateAPI

/// The workspace token service behind `GetToken` and `GetSigningKeys`.
///
/// Each workspace's token service lives in the workspace's region, so a token
/// fetch behaves as a call to that region would: it fails fast with
/// `UNAVAILABLE` while the region is down (read from ``RegionAvailability``
/// in memory: no waiting on anything), even for a service whose cluster is in
/// a healthy region, and it takes the round-trip latency between the
/// service's cluster region and the workspace's region longer, so distance
/// shows. Verifying tokens never comes here (``TokenAuthenticator``).
struct TokenService: Sendable {
    let controller: DeploymentController
    let workspaces: WorkspaceStore
    let computes: ComputeStore
    let regions: RegionStore
    let availability: RegionAvailability
    let keyRing: SigningKeyRing
    let configuration: TokenConfiguration
    let clock: WallClock

    /// A token for `service` issued to `subject` (a client id).
    ///
    /// - Throws: `NOT_FOUND` for an unknown workspace or service;
    ///   `FAILED_PRECONDITION` for a service without token auth; `UNAVAILABLE`
    ///   (details `region`, `retry_after_ms`) while the workspace's region is down.
    func token(workspace name: String, service: String, subject: String, logger: Logger) async throws -> GetTokenResponse {
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "workspace is required") }
        guard let workspace = try await self.workspaces.workspace(named: name) else {
            throw StoreError.notFound(kind: "workspace", name: name)
        }
        let tokenService = "the token service of workspace '\(workspace.name)'"
        try self.availability.requireAvailable(workspace.region, for: tokenService)
        let record = try await self.controller.tokenAuthService(workspace: workspace.name, name: service)

        // The call travels from the service's cluster to the workspace's region and back.
        let clusterRegion = try await self.clusterRegion(of: record) ?? workspace.region
        let roundTrip = try await self.regions.latency(between: clusterRegion, and: workspace.region) ?? 0
        if roundTrip > 0 {
            try await Task.sleep(for: .milliseconds(roundTrip))
            // The region may have gone down while the call was on its way.
            try self.availability.requireAvailable(workspace.region, for: tokenService)
        }

        let signing = try await self.keyRing.signingKey(workspace: workspace.name)
        let nowMilliseconds = self.clock.now().millisecondsSince1970
        let issuedAt = nowMilliseconds / 1000
        // Rounded up to whole seconds (JWT's NumericDate), so a token never expires early.
        let expiresAt = (nowMilliseconds + max(1000, self.configuration.tokenLifetime.milliseconds) + 999) / 1000
        let claims = TokenClaims(
            iss: TokenClaims.issuer(workspace: workspace.name),
            aud: TokenClaims.audience(workspace: workspace.name, service: record.name),
            sub: subject, iat: issuedAt, nbf: issuedAt, exp: expiresAt
        )
        var response = GetTokenResponse()
        response.token = try JSONWebToken.sign(claims, keyID: signing.record.kid, with: signing.key)
        response.tokenType = "Bearer"
        response.expiresAtUnixMs = expiresAt * 1000
        response.refreshByUnixMs = min(nowMilliseconds + self.configuration.refreshAfter.milliseconds, expiresAt * 1000)
        response.region = workspace.region
        response.keyID = signing.record.kid
        logger.debug("Issued a scoring token", metadata: [
            "workspace.name": "\(workspace.name)", "service.name": "\(record.name)", "key.id": "\(signing.record.kid)",
            "region.name": "\(workspace.region)", "region.cluster": "\(clusterRegion)", "region.round_trip_ms": "\(roundTrip)",
        ])
        return response
    }

    /// The public keys that verify `workspace`'s tokens, as a JWKS and structured.
    ///
    /// Published by the server, not the token service, so it is answered
    /// while the workspace's region is down: verifiers can always fetch keys.
    func signingKeys(workspace name: String) async throws -> GetSigningKeysResponse {
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "workspace is required") }
        guard let workspace = try await self.workspaces.workspace(named: name) else {
            throw StoreError.notFound(kind: "workspace", name: name)
        }
        var response = GetSigningKeysResponse()
        response.issuer = TokenClaims.issuer(workspace: workspace.name)
        var published: [[String: String]] = []
        for signing in try await self.keyRing.publishedKeys(workspace: workspace.name) {
            let (x, y) = try signing.key.publicCoordinates()
            var key = JsonWebKey()
            key.kid = signing.record.kid
            key.kty = "EC"
            key.alg = TokenHeader.algorithm
            key.use = "sig"
            key.crv = "P-256"
            key.x = Base64URL.encode(x)
            key.y = Base64URL.encode(y)
            key.notBeforeUnixMs = signing.record.createdAt.millisecondsSince1970
            key.notAfterUnixMs = signing.record.verifyUntil?.millisecondsSince1970 ?? 0
            response.keys.append(key)
            published.append(["kty": key.kty, "crv": key.crv, "x": key.x, "y": key.y, "kid": key.kid, "alg": key.alg, "use": key.use])
        }
        response.jwksJSON = String(decoding: try JSONWebToken.json(["keys": published]), as: UTF8.self)
        return response
    }

    /// The region of the service's compute target; nil for ACI (no cluster).
    private func clusterRegion(of record: ServiceRecord) async throws -> String? {
        guard record.deploymentConfig.computeType == .aks, !record.computeTarget.isEmpty else { return nil }
        return try await self.computes.compute(workspace: record.workspace, name: record.computeTarget)?.region
    }
}
