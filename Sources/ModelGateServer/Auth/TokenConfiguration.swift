/// Lifetimes of scoring tokens and of the keys that sign them.
///
/// The defaults follow Microsoft Entra ID, which issues Azure Machine
/// Learning's service tokens: an access token lasts about an hour and a client
/// is told to refresh it at half its lifetime (Entra's `refresh_in`), so a
/// token service that is briefly down (its region unavailable) does not stop
/// a well-behaved client, whose token still has half an hour to run.
public struct TokenConfiguration: Sendable, Hashable {
    /// How long a token is valid after it is issued (`exp - iat`). Default 1 h.
    public var tokenLifetime: Duration
    /// When, after issue, a client should fetch a new token (`refresh_by`);
    /// below ``tokenLifetime``. Default 30 min.
    public var refreshAfter: Duration
    /// How long a workspace's signing key signs before a new one replaces it.
    /// The old key keeps verifying until every token it signed has expired.
    /// Default 30 days.
    public var signingKeyLifetime: Duration
    /// How far a verifier's clock may be from the issuer's: a token is still
    /// accepted this long after `exp`, and this long before `nbf`. Default
    /// 30 s: both clocks are this machine's today, so only the gap between
    /// issuing and a first use on another host matters; 30 s covers NTP-synced
    /// hosts without keeping expired tokens alive for long.
    public var clockSkew: Duration

    /// Longest token accepted, in bytes: ours are about 450; anything near
    /// this is not one of ours and is refused before it is parsed.
    public static let maxTokenBytes = 8 * 1024

    public init(
        tokenLifetime: Duration = .seconds(3600), refreshAfter: Duration = .seconds(1800),
        signingKeyLifetime: Duration = .seconds(30 * 24 * 3600), clockSkew: Duration = .seconds(30)
    ) {
        self.tokenLifetime = tokenLifetime
        self.refreshAfter = refreshAfter
        self.signingKeyLifetime = signingKeyLifetime
        self.clockSkew = clockSkew
    }
}
