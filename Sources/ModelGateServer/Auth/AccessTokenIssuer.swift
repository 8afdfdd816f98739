public import Foundation

/// Issues and checks control-plane access tokens.
///
/// A token is 32 random bytes as base64url (43 characters): opaque, with no
/// claims to parse or forge. Only its SHA-256 hash is stored, with the
/// principal and expiry, so tokens survive restarts and a copy of the
/// database cannot be replayed. (Hashing without a salt is fine here: the
/// token has 256 bits of entropy, so there is nothing to brute-force.)
public struct AccessTokenIssuer: Sendable {
    /// A freshly issued token; the raw value exists only in this answer.
    public struct IssuedToken: Sendable, Hashable {
        public var token: String
        public var principalID: String
        public var expiresAt: Date
    }

    /// What a presented token turned out to be.
    public enum Verification: Sendable, Hashable {
        case valid(principalID: String, expiresAt: Date)
        case expired(at: Date)
        case unknown
    }

    /// Length of a token in characters: 32 bytes of base64url without padding.
    public static let tokenLength = 43
    /// Expired tokens are kept this long so a late caller hears "expired"
    /// rather than "unknown", then purged.
    static let expiredRetention: TimeInterval = 7 * 24 * 3600

    private let sessions: SessionStore
    private let lifetime: Duration
    private let clock: WallClock

    /// - Parameters:
    ///   - lifetime: How long a token is valid after sign-in. Default 24 hours.
    ///   - clock: The wall clock expiry is measured against.
    public init(sessions: SessionStore, lifetime: Duration = .seconds(24 * 3600), clock: WallClock = .system) {
        self.sessions = sessions
        self.lifetime = lifetime
        self.clock = clock
    }

    /// Makes, stores and returns a new token for `principalID`.
    public func issue(to principalID: String) async throws -> IssuedToken {
        let token = try SecureRandom.token(byteCount: 32)
        // Whole milliseconds, as stored, so the answer equals what a later verify reads.
        let now = Date(millisecondsSince1970: self.clock.now().millisecondsSince1970)
        let seconds = Double(self.lifetime.components.seconds) + Double(self.lifetime.components.attoseconds) / 1e18
        let expiresAt = now.addingTimeInterval(seconds)
        try await self.sessions.insert(
            tokenHash: SHA256.hash(token.utf8),
            session: SessionStore.Session(principalID: principalID, issuedAt: now, expiresAt: expiresAt),
            purgeBefore: now.addingTimeInterval(-Self.expiredRetention)
        )
        return IssuedToken(token: token, principalID: principalID, expiresAt: expiresAt)
    }

    /// Looks `token` up by its hash and checks its expiry.
    public func verify(_ token: String) async throws -> Verification {
        guard let session = try await self.sessions.session(tokenHash: SHA256.hash(token.utf8)) else {
            return .unknown
        }
        guard self.clock.now() < session.expiresAt else {
            return .expired(at: session.expiresAt)
        }
        return .valid(principalID: session.principalID, expiresAt: session.expiresAt)
    }

    /// Forgets `token` at once.
    public func revoke(_ token: String) async throws {
        try await self.sessions.revoke(tokenHash: SHA256.hash(token.utf8))
    }
}
