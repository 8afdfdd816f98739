internal import CModelGateOpenSSL
internal import ModelGateAPI
internal import Synchronization

/// Checks a scoring call's key against its service's primary and secondary keys.
///
/// The key comes from `authorization: Bearer <key>` metadata (a bare key is
/// accepted too, as some Azure clients send it). It is compared with both
/// keys, always both, with OpenSSL's `CRYPTO_memcmp`, so the time taken does
/// not say how much of a key was right, or which key matched. Keys are never
/// logged or echoed.
///
/// The keys are set by whoever stores them (the ``DeploymentController``) through
/// ``update(_:)``; after a regeneration the old value fails at once.
final class KeyAuthenticator: Sendable {
    /// `<workspace>/<service>`, for messages.
    let serviceName: String
    private let stored: Mutex<StoredKeys>

    private struct StoredKeys {
        var keys: ServiceKeys
        var primary: [UInt8]
        var secondary: [UInt8]

        init(_ keys: ServiceKeys) {
            self.keys = keys
            self.primary = Array(keys.primary.utf8)
            self.secondary = Array(keys.secondary.utf8)
        }
    }

    /// The metadata key that carries the key (keys are lower-case on the wire).
    static let metadataKey = "authorization"

    init(serviceName: String, keys: ServiceKeys) {
        self.serviceName = serviceName
        self.stored = Mutex(StoredKeys(keys))
    }

    /// The keys now.
    var keys: ServiceKeys { self.stored.withLock { $0.keys } }

    /// Replaces the keys; the old values stop working at once.
    func update(_ keys: ServiceKeys) {
        self.stored.withLock { $0 = StoredKeys(keys) }
    }

    /// Checks the call's key.
    ///
    /// - Throws: ``RPCError`` `UNAUTHENTICATED` when the key is missing or matches neither key.
    func authenticate(metadata: [String: String]) throws(RPCError) {
        let presented = Array(try self.presentedKey(in: metadata).utf8)
        let (primary, secondary) = self.stored.withLock { ($0.primary, $0.secondary) }
        // Both comparisons always run (no `||` short circuit), whichever key matches.
        let primaryMatches = Self.constantTimeEquals(presented, primary)
        let secondaryMatches = Self.constantTimeEquals(presented, secondary)
        guard primaryMatches || secondaryMatches else {
            // A JWT (two dots; keys have none) means the caller thinks this is a token-auth service.
            if presented.count(where: { $0 == UInt8(ascii: ".") }) == 2 {
                throw RPCError(
                    code: .unauthenticated,
                    message: "service '\(self.serviceName)' uses key auth and accepts no tokens: send its primary or secondary key (GetKeys)"
                )
            }
            throw RPCError(
                code: .unauthenticated,
                message: "invalid key for service '\(self.serviceName)': send its primary or secondary key (GetKeys)"
            )
        }
    }

    /// The key in `authorization: Bearer <key>` (or a bare `authorization: <key>`).
    private func presentedKey(in metadata: [String: String]) throws(RPCError) -> Substring {
        let value = metadata[Self.metadataKey]?.trimmingWhitespace() ?? ""
        var key = value
        if let space = value.firstIndex(where: { $0 == " " || $0 == "\t" }),
            value[..<space].lowercased() == "bearer"
        {
            key = value[space...].trimmingWhitespace()
        }
        guard !key.isEmpty else {
            throw RPCError(
                code: .unauthenticated,
                message: "missing key for service '\(self.serviceName)': send metadata 'authorization: Bearer <key>' with its primary or secondary key (GetKeys)"
            )
        }
        return key
    }

    /// Whether `lhs` and `rhs` are equal, in time that depends only on their lengths.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        // Lengths are not secret (generated keys all have the same); contents are.
        guard lhs.count == rhs.count else { return false }
        guard !lhs.isEmpty else { return true }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) }) else {
            return Substring()
        }
        return Substring(self[first...last])
    }
}
