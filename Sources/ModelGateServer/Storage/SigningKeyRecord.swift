internal import Foundation

/// One of a workspace's token signing keys, as stored.
struct SigningKeyRecord: Sendable, Hashable {
    /// The workspace's name as stored.
    var workspace: String
    /// Key id, the JWT header's `kid`: random, unique across workspaces.
    var kid: String
    /// The P-256 private key, DER (SEC 1). The data directory is 0700, as for
    /// every other secret the server keeps.
    var privateKeyDER: [UInt8]
    /// When the key was made; it signs from then on (its `nbf`).
    var createdAt: Date
    /// When a newer key replaced it; nil while it is the current signing key.
    var retiredAt: Date?
    /// When it stops verifying: its last token's expiry plus the clock skew.
    /// Nil while current. After this it is deleted.
    var verifyUntil: Date?
}
