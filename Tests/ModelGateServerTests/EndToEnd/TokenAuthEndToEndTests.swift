import Foundation
import ModelGateAPI
import ModelGateRPC
@testable import ModelGateServer
import Testing

/// Token auth over the wire: a real server, an echo service on an AKS target
/// with `token_auth_enabled`, tokens from `GetToken`, keys from
/// `GetSigningKeys`, and scoring with them.
@Suite("Token auth over the wire", .timeLimit(.minutes(2)))
struct TokenAuthEndToEndTests {
    // MARK: Fixtures

    /// A server with workspace `prod` (westeurope), AKS target `aks1` in
    /// `clusterRegion`, and the echo script deployed as token-auth `scorer`.
    struct Fixture {
        let server: RunningServer
        let deployments: Deployments

        var client: RPCClient { self.server.client }
        var auth: [String: String] { self.deployments.auth }

        static func with(
            clusterRegion: String = "westeurope", configure: @escaping (inout ServerConfiguration) -> Void = { _ in },
            _ body: (Fixture) async throws -> Void
        ) async throws {
            let directory = try TemporaryDirectory()
            try await RunningServer.with(dataDirectory: directory.path, configure: configure) { server in
                let deployments = try await Deployments.prepare(server)
                let fixture = Fixture(server: server, deployments: deployments)
                try await fixture.attach("aks1", region: clusterRegion)
                try await deployments.deployAndWait("scorer", archive: try Deployments.archive(script: "echo.py"), config: Self.tokenConfig())
                try await body(fixture)
            }
        }

        static func tokenConfig(_ target: String = "aks1") -> DeploymentConfig {
            var config = DeploymentConfig()
            config.computeType = .aks
            config.computeTargetName = target
            config.numReplicas = 1
            config.cpuCores = 0.1
            config.tokenAuthEnabled = .enabled
            return config
        }

        func attach(_ name: String, region: String) async throws {
            var request = AttachComputeRequest()
            request.workspace = self.deployments.workspace
            request.name = name
            request.type = .aks
            request.region = region
            request.cpuCores = 4
            request.memoryGb = 8
            let _: ComputeTarget = try await self.client.unary(ModelGateMethods.Workspace.attachCompute, request, metadata: self.auth)
        }

        func token(_ service: String = "scorer", workspace: String? = nil, metadata: [String: String]? = nil) async throws -> GetTokenResponse {
            var request = GetTokenRequest()
            request.workspace = workspace ?? self.deployments.workspace
            request.service = service
            return try await self.client.unary(ModelGateMethods.Auth.getToken, request, metadata: metadata ?? self.auth)
        }

        func signingKeys() async throws -> GetSigningKeysResponse {
            var request = GetSigningKeysRequest()
            request.workspace = self.deployments.workspace
            return try await self.client.unary(ModelGateMethods.Auth.getSigningKeys, request, metadata: self.auth)
        }

        func score(_ service: String = "scorer", metadata: [String: String]) async throws -> ScoreResponse {
            var request = ScoreRequest()
            request.workspace = self.deployments.workspace
            request.service = service
            request.body = Array(#""hello""#.utf8)
            return try await self.client.unary(ModelGateMethods.Scoring.score, request, metadata: metadata)
        }

        func score(_ service: String = "scorer", token: String) async throws -> ScoreResponse {
            try await self.score(service, metadata: ["authorization": "Bearer \(token)"])
        }

        func setAvailability(_ region: String, _ available: Bool) async throws {
            var request = SetRegionAvailabilityRequest()
            request.region = region
            request.available = available
            request.reason = available ? "" : "chaos test"
            let _: Region = try await self.client.unary(ModelGateMethods.Workspace.setRegionAvailability, request, metadata: self.auth)
        }

        func setLatency(_ from: String, _ to: String, milliseconds: UInt32) async throws {
            var request = SetRegionLatencyRequest()
            request.fromRegion = from
            request.toRegion = to
            request.roundTripMs = milliseconds
            let _: Region = try await self.client.unary(ModelGateMethods.Workspace.setRegionLatency, request, metadata: self.auth)
        }

        /// A forge holding the workspace's current signing key, for well-signed bad tokens.
        func forge() async throws -> TokenForge {
            let signing = try await self.server.app.signingKeys.signingKey(workspace: self.deployments.workspace)
            return TokenForge(
                key: signing.key, kid: signing.record.kid, workspace: self.deployments.workspace, service: "scorer",
                now: Int64(Date().timeIntervalSince1970), skew: 30
            )
        }
    }

    /// How long `body` takes.
    static func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
        let start = ContinuousClock.now
        let result = try await body()
        return (result, ContinuousClock.now - start)
    }

    // MARK: Tokens and scoring

    @Test("GetToken returns an ES256 JWT for the service with Azure's fields; it scores, and every bad token is UNAUTHENTICATED")
    func tokenScoresAndBadTokensAreRefused() async throws {
        try await Fixture.with { fixture in
            // Given a token from GetToken
            let before = Int64(Date().timeIntervalSince1970 * 1000)
            let token = try await fixture.token()

            // Then it has Azure's shape: Bearer, refresh_by before expiry, an hour's lifetime
            #expect(token.tokenType == "Bearer")
            #expect(token.region == "westeurope")
            #expect(!token.keyID.isEmpty)
            #expect(token.refreshByUnixMs > before && token.refreshByUnixMs < token.expiresAtUnixMs)
            #expect(abs(token.expiresAtUnixMs - before - 3_600_000) < 5_000)
            #expect(abs(token.refreshByUnixMs - before - 1_800_000) < 5_000)
            let parts = token.token.split(separator: ".").map(String.init)
            #expect(parts.count == 3)
            let header = try JSONSerialization.jsonObject(with: Data(try #require(Base64URL.decode(parts[0])))) as? [String: String]
            #expect(header == ["alg": "ES256", "typ": "JWT", "kid": token.keyID])
            let claims = try JSONDecoder().decode(TokenClaims.self, from: Data(try #require(Base64URL.decode(parts[1]))))
            #expect(claims.iss == "modelgate://prod")
            #expect(claims.aud == "prod/scorer")
            #expect(claims.sub == fixture.server.credentials.clientID)
            #expect(claims.exp * 1000 == token.expiresAtUnixMs)

            // When it scores, it is accepted
            let response = try await fixture.score(token: token.token)
            #expect(response.code == .ok)
            #expect(String(decoding: response.body, as: UTF8.self).contains("hello"))

            // And each bad token is refused, with the reason, over the wire
            let forge = try await fixture.forge()
            for bad in BadToken.allCases {
                let metadata = try forge.metadata(bad, otherWorkspaceKid: "unknown-elsewhere")
                let error = await rpcError { _ = try await fixture.score(metadata: metadata) }
                #expect(error?.code == .unauthenticated, "\(bad)")
                #expect(error?.message.contains(bad.expectedWords) == true, "\(bad): \(error?.message ?? "")")
            }
            // A server restart is not needed for the good token to keep working after all that.
            #expect(try await fixture.score(token: token.token).code == .ok)
        }
    }

    @Test("Token auth and key auth exclude each other: keys fail on a token service, tokens on a key service; GetKeys and GetToken say which")
    func tokenAndKeyAuthAreMutuallyExclusive() async throws {
        try await Fixture.with { fixture in
            // Given a key-auth service next to the token-auth one
            var keyConfig = Fixture.tokenConfig()
            keyConfig.tokenAuthEnabled = .unspecified
            try await fixture.deployments.deployAndWait("keyed", archive: try Deployments.archive(script: "echo.py"), config: keyConfig)
            let keys = try await fixture.deployments.keys("keyed")
            let token = try await fixture.token()

            // Then the key does not score on the token service, and the token not on the key service
            let keyOnToken = await rpcError { _ = try await fixture.score("scorer", token: keys.primaryKey) }
            #expect(keyOnToken?.code == .unauthenticated)
            #expect(keyOnToken?.message.contains("uses token auth") == true, "\(keyOnToken?.message ?? "")")
            let tokenOnKey = await rpcError { _ = try await fixture.score("keyed", token: token.token) }
            #expect(tokenOnKey?.code == .unauthenticated)
            #expect(tokenOnKey?.message.contains("uses key auth") == true, "\(tokenOnKey?.message ?? "")")
            #expect(try await fixture.score("keyed", token: keys.primaryKey).code == .ok)

            // And GetToken for the key service, GetKeys for the token service, are FAILED_PRECONDITION naming the service
            let noToken = await rpcError { _ = try await fixture.token("keyed") }
            #expect(noToken?.code == .failedPrecondition)
            #expect(noToken?.message.contains("service 'keyed' does not have token auth enabled") == true, "\(noToken?.message ?? "")")
            let noKeys = await rpcError { _ = try await fixture.deployments.keys("scorer") }
            #expect(noKeys?.code == .failedPrecondition)
            #expect(noKeys?.message.contains("scorer") == true)
            let missing = await rpcError { _ = try await fixture.token("nothing") }
            #expect(missing?.code == .notFound)

            // And the effective config of the token service has key auth off
            let service = try await fixture.deployments.service("scorer")
            #expect(service.deploymentConfig?.tokenAuthEnabled == .enabled)
            #expect(service.deploymentConfig?.authEnabled == .disabled)
        }
    }

    @Test("Deploy refuses token auth on ACI and token auth together with key auth, with INVALID_ARGUMENT")
    func deployRefusesInvalidTokenAuth() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            try await deployments.attachCompute("aks1", cores: 1, memoryGB: 2)
            let archive = try Deployments.archive(script: "echo.py")

            var onACI = DeploymentConfig()
            onACI.computeType = .aci
            onACI.tokenAuthEnabled = .enabled
            let aci = await rpcError { _ = try await deployments.deploy("aci", archive: archive, config: onACI) }
            #expect(aci?.code == .invalidArgument)
            #expect(aci?.message.contains("token auth is available on AKS only") == true, "\(aci?.message ?? "")")

            var both = Fixture.tokenConfig()
            both.authEnabled = .enabled
            let mixed = await rpcError { _ = try await deployments.deploy("both", archive: archive, config: both) }
            #expect(mixed?.code == .invalidArgument)
            #expect(mixed?.message.contains("cannot both be on") == true, "\(mixed?.message ?? "")")
        }
    }

    @Test("GetToken needs Reader on the workspace: a Reader gets one (its client id is the subject), a principal without a role does not")
    func getTokenNeedsReader() async throws {
        try await Fixture.with { fixture in
            var create = CreatePrincipalRequest()
            create.displayName = "scoring-client"
            create.kind = .servicePrincipal
            let created: CreatePrincipalResponse = try await fixture.client.unary(
                ModelGateMethods.Identity.createPrincipal, create, metadata: fixture.auth
            )
            let clientID = try #require(created.principal?.clientID)
            var signIn = SignInRequest()
            signIn.clientID = clientID
            signIn.clientSecret = created.clientSecret
            let session: SignInResponse = try await fixture.client.unary(ModelGateMethods.Identity.signIn, signIn)
            let principal = ["authorization": "Bearer \(session.accessToken)"]

            let denied = await rpcError { _ = try await fixture.token(metadata: principal) }
            #expect(denied?.code == .permissionDenied)
            #expect(denied?.message.contains("Reader") == true, "\(denied?.message ?? "")")

            var assign = AssignRoleRequest()
            assign.clientID = clientID
            assign.workspace = "prod"
            assign.role = .reader
            let _: RoleAssignment = try await fixture.client.unary(ModelGateMethods.Identity.assignRole, assign, metadata: fixture.auth)
            let token = try await fixture.token(metadata: principal)
            let claims = try JSONDecoder().decode(
                TokenClaims.self, from: Data(try #require(Base64URL.decode(token.token.split(separator: ".")[1])))
            )
            #expect(claims.sub == clientID)
            #expect(try await fixture.score(token: token.token).code == .ok)
        }
    }

    // MARK: Rotation

    @Test("Rotation on demand: new tokens use the new kid, tokens of the old key still score, and the JWKS has both")
    func rotationKeepsOldTokensValid() async throws {
        try await Fixture.with { fixture in
            // Given a token signed by the first key
            let old = try await fixture.token()

            // When the workspace's key is rotated
            let rotated = try await fixture.server.app.signingKeys.rotate(workspace: "prod")

            // Then new tokens carry the new kid, and both tokens score
            let new = try await fixture.token()
            #expect(new.keyID == rotated.record.kid)
            #expect(new.keyID != old.keyID)
            #expect(try await fixture.score(token: old.token).code == .ok)
            #expect(try await fixture.score(token: new.token).code == .ok)

            // And the JWKS publishes both: the old one with the time it stops verifying
            let published = try await fixture.signingKeys()
            #expect(published.issuer == "modelgate://prod")
            #expect(Set(published.keys.map(\.kid)) == [old.keyID, new.keyID])
            let retired = try #require(published.keys.first { $0.kid == old.keyID })
            #expect(retired.notAfterUnixMs >= old.expiresAtUnixMs)
            #expect(published.keys.first { $0.kid == new.keyID }?.notAfterUnixMs == 0)
            let jwks = try JSONSerialization.jsonObject(with: Data(published.jwksJSON.utf8)) as? [String: [[String: String]]]
            let first = try #require(jwks?["keys"]?.first)
            #expect(first["kty"] == "EC" && first["crv"] == "P-256" && first["alg"] == "ES256" && first["use"] == "sig")
            #expect(first["x"]?.count == 43 && first["y"]?.count == 43)
        }
    }

    @Test("A key rotates by itself at its lifetime; the old key verifies until its tokens expire, then is dropped")
    func automaticRotationAndExpiry() async throws {
        try await Fixture.with(configure: { configuration in
            configuration.tokens = TokenConfiguration(
                // The token outlives the key's 1 s by 4 s, so a loaded machine's slow
                // calls between the two checks below cannot expire it early.
                tokenLifetime: .seconds(5), refreshAfter: .seconds(2), signingKeyLifetime: .seconds(1), clockSkew: .zero
            )
        }) { fixture in
            // Given a token from the first key
            let old = try await fixture.token()
            #expect(old.refreshByUnixMs < old.expiresAtUnixMs)

            // When the key outlives its lifetime, the next token comes from a new key
            try await Task.sleep(for: .milliseconds(1_100))
            let new = try await fixture.token()
            #expect(new.keyID != old.keyID)
            #expect(try await fixture.score(token: old.token).code == .ok)

            // Then the old token fails once expired (no skew configured)
            let wait = Double(old.expiresAtUnixMs) / 1000 - Date().timeIntervalSince1970 + 0.2
            try await Task.sleep(for: .seconds(max(0, wait)))
            let expired = await rpcError { _ = try await fixture.score(token: old.token) }
            #expect(expired?.code == .unauthenticated)
            #expect(expired?.message.contains("expired") == true, "\(expired?.message ?? "")")

            // And once past the end it was published with (its last token's expiry, rounded up), the old key leaves the JWKS
            let notAfter = try #require(try await fixture.signingKeys().keys.first { $0.kid == old.keyID }?.notAfterUnixMs)
            #expect(notAfter >= old.expiresAtUnixMs)
            try await Task.sleep(for: .seconds(max(0, Double(notAfter) / 1000 - Date().timeIntervalSince1970 + 0.1)))
            let latest = try await fixture.token()
            let published = try await fixture.signingKeys()
            #expect(!published.keys.map(\.kid).contains(old.keyID))
            #expect(published.keys.map(\.kid).contains(latest.keyID))
        }
    }

    @Test("Signing keys survive a restart: a token issued before it still scores after it")
    func keysSurviveRestart() async throws {
        let directory = try TemporaryDirectory()
        let token = try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            let fixture = Fixture(server: server, deployments: deployments)
            try await fixture.attach("aks1", region: "westeurope")
            try await deployments.deployAndWait("scorer", archive: try Deployments.archive(script: "echo.py"), config: Fixture.tokenConfig())
            return try await fixture.token()
        }
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let fixture = Fixture(server: server, deployments: Deployments(server: server, auth: try await server.signIn(), workspace: "prod"))
            _ = try await fixture.deployments.waitForDeployment("scorer")
            #expect(try await fixture.score(token: token.token).code == .ok)
            #expect(try await fixture.token().keyID == token.keyID)
        }
    }

    // MARK: Regions

    @Test("Distance shows: GetToken takes the round trip between the cluster's region and the workspace's region")
    func latencyBetweenRegionsIsAdded() async throws {
        try await Fixture.with(clusterRegion: "eastus") { fixture in
            // Given a cluster far from the workspace (eastus ↔ westeurope set to 1 s, far above a loaded machine's noise)
            try await fixture.setLatency("eastus", "westeurope", milliseconds: 1_000)
            try await fixture.attach("near", region: "westeurope")
            try await fixture.deployments.deployAndWait("nearby", archive: try Deployments.archive(script: "echo.py"), config: Fixture.tokenConfig("near"))
            _ = try await fixture.token()  // the workspace's first key is made here, not timed below

            // When tokens are fetched for each service
            let (far, farTime) = try await Self.timed { try await fixture.token("scorer") }
            let (_, nearTime) = try await Self.timed { try await fixture.token("nearby") }

            // Then the far one took the round trip, the near one did not, and both come from the workspace's region
            #expect(farTime >= .milliseconds(1_000), "\(farTime)")
            #expect(nearTime < .milliseconds(1_000), "\(nearTime)")
            #expect(far.region == "westeurope")
        }
    }

    @Test("Workspace region down: GetToken is UNAVAILABLE in under 50 ms naming the region, issued tokens still score, recovery is immediate")
    func tokenServiceFollowsWorkspaceRegion() async throws {
        // The cluster is in a healthy region: the workspace's region alone decides.
        try await Fixture.with(clusterRegion: "eastus") { fixture in
            // Given a token issued before the outage, a key-auth service, and a workspace in another region
            let issued = try await fixture.token()
            var keyConfig = Fixture.tokenConfig()
            keyConfig.tokenAuthEnabled = .unspecified
            try await fixture.deployments.deployAndWait("keyed", archive: try Deployments.archive(script: "echo.py"), config: keyConfig)
            let key = try await fixture.deployments.keys("keyed").primaryKey
            _ = try await fixture.server.createWorkspace("elsewhere", region: "eastus", metadata: fixture.auth)

            // When the workspace's region goes down (with the cluster 2 s away, so a refusal that waited would show)
            try await fixture.setLatency("eastus", "westeurope", milliseconds: 2_000)
            try await fixture.setAvailability("westeurope", false)

            // Then every token fetch fails fast with UNAVAILABLE naming the region and a retry hint
            var slowest = Duration.zero
            for _ in 0..<10 {
                let (error, elapsed) = await Self.timed { await rpcError { _ = try await fixture.token() } }
                slowest = max(slowest, elapsed)
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("region 'westeurope' is unavailable") == true, "\(error?.message ?? "")")
                #expect(error?.details["region"] == "westeurope")
                #expect(error?.details["retry_after_ms"] == "1000")
            }
            // A bound only waiting on something slow breaks; tools/chaos/run measures the 50 ms.
            #expect(slowest < .seconds(1), "\(slowest)")

            // And tokens issued earlier still score, key auth is untouched, and the other region's token service answers
            #expect(try await fixture.score(token: issued.token).code == .ok)
            #expect(try await fixture.score("keyed", token: key).code == .ok)
            let elsewhere = await rpcError { _ = try await fixture.token("none", workspace: "elsewhere") }
            #expect(elsewhere?.code == .notFound)
            #expect(try await fixture.signingKeys().keys.map(\.kid).contains(issued.keyID))

            // When the region comes back, the next fetch succeeds
            try await fixture.setLatency("eastus", "westeurope", milliseconds: 10)
            try await fixture.setAvailability("westeurope", true)
            let (recovered, recovery) = try await Self.timed { try await fixture.token() }
            #expect(recovery < .seconds(1), "\(recovery)")
            #expect(try await fixture.score(token: recovered.token).code == .ok)
        }
    }

    // MARK: Independent check

    /// Writes a real token and the JWKS for `tools/tokencheck` (PyJWT) when
    /// `MODELGATE_TOKEN_FIXTURE` names a file; otherwise checks the same
    /// things and writes nothing.
    @Test("A token and the JWKS, for verification by an independent JWT library")
    func tokenAndJWKSForIndependentCheck() async throws {
        try await Fixture.with { fixture in
            let token = try await fixture.token()
            let published = try await fixture.signingKeys()
            #expect(published.keys.map(\.kid).contains(token.keyID))
            let document: [String: Any] = [
                "token": token.token, "jwks": published.jwksJSON, "issuer": published.issuer, "audience": "prod/scorer",
                "subject": fixture.server.credentials.clientID, "expires_at_unix_ms": token.expiresAtUnixMs,
            ]
            if let path = ProcessInfo.processInfo.environment["MODELGATE_TOKEN_FIXTURE"] {
                try JSONSerialization.data(withJSONObject: document).write(to: URL(filePath: path))
            }
        }
    }
}
