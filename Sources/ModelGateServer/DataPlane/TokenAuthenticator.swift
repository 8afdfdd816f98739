internal import Foundation
internal import ModelGateAPI

/// Checks a scoring call's token for one token-auth service, locally.
///
/// The token comes from `authorization: Bearer <jwt>`. It is checked against
/// the public keys in memory (``TokenVerificationKeys``): no database read and
/// no call to the token service, so scoring keeps working, at its usual
/// latency, while the workspace's region is down. The order is fixed so that
/// nothing in the token is believed before its signature verifies:
///
/// 1. size (at most ``TokenConfiguration/maxTokenBytes``), shape and base64url;
/// 2. the header: `alg` must be `ES256` (fixed here, never taken from the
///    token, so `none` and `HS256`-with-the-public-key fail), `kid` must name a
///    live key of this service's workspace;
/// 3. the ES256 signature over the first two segments;
/// 4. the claims: `iss` this workspace, `aud` this service, `exp` and `nbf`
///    within the clock skew.
///
/// Every refusal is `UNAUTHENTICATED` with a message saying which check
/// failed; the token itself is never echoed or logged.
struct TokenAuthenticator: Sendable {
    /// `<workspace>/<service>`, for messages; also the expected `aud`.
    let serviceName: String
    /// The expected `iss`.
    let issuer: String
    /// The workspace whose keys may sign.
    let workspace: String
    let keys: TokenVerificationKeys
    let clock: WallClock
    /// Whole seconds of tolerance on `exp` and `nbf`.
    let clockSkewSeconds: Int64

    init(workspace: String, service: String, keys: TokenVerificationKeys, clock: WallClock, clockSkew: Duration) {
        self.serviceName = TokenClaims.audience(workspace: workspace, service: service)
        self.issuer = TokenClaims.issuer(workspace: workspace)
        self.workspace = workspace
        self.keys = keys
        self.clock = clock
        self.clockSkewSeconds = max(0, clockSkew.milliseconds / 1000)
    }

    /// Checks the call's token.
    ///
    /// - Throws: ``RPCError`` `UNAUTHENTICATED` naming the failed check.
    func authenticate(metadata: [String: String]) throws(RPCError) {
        let value = metadata[KeyAuthenticator.metadataKey] ?? ""
        guard value.utf8.count <= TokenConfiguration.maxTokenBytes + 16 else {
            throw self.refusal("the token is over \(TokenConfiguration.maxTokenBytes / 1024) KiB")
        }
        let token = Self.bearerValue(value)
        guard !token.isEmpty else {
            throw self.refusal(
                "missing token for service '\(self.serviceName)': send metadata 'authorization: Bearer <token>' with a token from GetToken",
                prefix: false
            )
        }
        guard token.utf8.count <= TokenConfiguration.maxTokenBytes else {
            throw self.refusal("the token is over \(TokenConfiguration.maxTokenBytes / 1024) KiB")
        }
        let parsed: JSONWebToken
        do {
            parsed = try JSONWebToken.parse(token)
        } catch .notCompact {
            let hint = token.contains(".") ? "" : " (a service key? this service uses token auth: send a token from GetToken)"
            throw self.refusal("malformed token: not three base64url segments separated by '.'\(hint)")
        } catch .badBase64(let segment) {
            throw self.refusal("malformed token: its \(segment) is not base64url")
        } catch {
            throw self.refusal("malformed token: its header is not a JSON object with 'alg'")
        }
        guard parsed.header.alg == TokenHeader.algorithm else {
            throw self.refusal("alg '\(Self.printable(parsed.header.alg))' is not accepted; tokens are signed with \(TokenHeader.algorithm)")
        }
        if let type = parsed.header.typ, type.uppercased() != "JWT" {
            throw self.refusal("typ '\(Self.printable(type))' is not accepted; tokens are JWTs")
        }
        guard let kid = parsed.header.kid, !kid.isEmpty else { throw self.refusal("the token's header has no kid") }
        let now = self.clock.now()
        guard let key = self.keys.key(kid, workspace: self.workspace, at: now) else {
            throw self.refusal("unknown signing key '\(Self.printable(kid))' for workspace '\(self.workspace)' (see GetSigningKeys)")
        }
        guard key.verify(signature: parsed.signature, of: parsed.signingInput) else {
            throw self.refusal("the token's signature does not verify")
        }
        guard let claims = try? JSONDecoder().decode(TokenClaims.self, from: Data(parsed.payload)) else {
            throw self.refusal("malformed token: its claims are not JSON with iss, aud, sub, iat, nbf and exp")
        }
        guard claims.iss == self.issuer else {
            throw self.refusal("the token was issued by '\(Self.printable(claims.iss))', not by workspace '\(self.workspace)' (\(self.issuer))")
        }
        guard claims.aud == self.serviceName else {
            throw self.refusal("the token is for '\(Self.printable(claims.aud))', not for this service")
        }
        let seconds = Int64((now.timeIntervalSince1970).rounded(.down))
        guard seconds < claims.exp + self.clockSkewSeconds else {
            throw self.refusal("the token expired at \(Self.format(claims.exp)); fetch a new one with GetToken")
        }
        guard seconds + self.clockSkewSeconds >= claims.nbf else {
            throw self.refusal("the token is not valid before \(Self.format(claims.nbf))")
        }
    }

    /// The value after `Bearer ` (any case), or the whole value.
    private static func bearerValue(_ value: String) -> Substring {
        let trimmed = value.drop { $0 == " " || $0 == "\t" }
        if trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " {
            return trimmed.dropFirst(7).drop { $0 == " " || $0 == "\t" }
        }
        return trimmed
    }

    private func refusal(_ reason: String, prefix: Bool = true) -> RPCError {
        RPCError(code: .unauthenticated, message: prefix ? "invalid token for service '\(self.serviceName)': \(reason)" : reason)
    }

    /// A peer-given string made safe and short for a message.
    private static func printable(_ text: String) -> String {
        let cleaned = text.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "?" }.joined()
        return cleaned.count > 64 ? String(cleaned.prefix(64)) + "..." : cleaned
    }

    private static func format(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: Double(seconds)).formatted(.iso8601)
    }
}
