/// A service's two scoring keys. Both are valid at once, so a client can
/// rotate: switch to the secondary, regenerate the primary, switch back.
struct ServiceKeys: Sendable, Hashable {
    var primary: String
    var secondary: String

    /// Random bytes per generated key: 256 bits.
    static let generatedKeyBytes = 32

    /// Two fresh keys, each 256 bits from OpenSSL's generator, as 43 base64url characters.
    static func generate() throws -> ServiceKeys {
        ServiceKeys(primary: try Self.generateKey(), secondary: try Self.generateKey())
    }

    /// One fresh key (for a regeneration).
    static func generateKey() throws -> String {
        try SecureRandom.token(byteCount: Self.generatedKeyBytes)
    }
}
