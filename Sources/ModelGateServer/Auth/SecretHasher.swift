internal import CModelGateOpenSSL
internal import ModelGateAPI
public import NIOPosix

/// Hashes and checks client secrets with salted PBKDF2-HMAC-SHA256.
///
/// PBKDF2 is deliberately slow (OWASP's 2023 advice is 600,000 iterations of
/// SHA-256; we default to 210,000, their figure for SHA-512-class cost, which
/// keeps a sign-in near 100 ms on a small machine). That cost is blocking
/// work, so it runs on a `NIOThreadPool`, never on the cooperative pool or an
/// event loop. Tests pass a small iteration count.
public struct SecretHasher: Sendable {
    /// Iterations for newly hashed secrets; verification uses the stored count.
    public var iterations: Int
    private let threadPool: NIOThreadPool

    public static let defaultIterations = 210_000
    static let saltLength = 16
    static let hashLength = 32

    public init(iterations: Int = SecretHasher.defaultIterations, threadPool: NIOThreadPool) {
        self.iterations = max(1, iterations)
        self.threadPool = threadPool
    }

    /// Hashes `secret` with a fresh random salt.
    public func hash(_ secret: String) async throws -> HashedSecret {
        let salt = try SecureRandom.bytes(Self.saltLength)
        let iterations = self.iterations
        let hash = try await self.threadPool.runIfActive {
            try Self.derive(secret: secret, salt: salt, iterations: iterations)
        }
        return HashedSecret(hash: hash, salt: salt, iterations: iterations)
    }

    /// True when `secret` hashes to `stored`; compares in constant time.
    public func verify(_ secret: String, against stored: HashedSecret) async throws -> Bool {
        try await self.threadPool.runIfActive {
            try Self.verifyBlocking(secret, against: stored)
        }
    }

    /// Burns the same time as a real check, so a sign-in with an unknown client
    /// id takes as long as one with a wrong secret and does not reveal which
    /// client ids exist.
    public func verifyAgainstNothing(_ secret: String) async throws {
        let iterations = self.iterations
        _ = try await self.threadPool.runIfActive {
            try Self.derive(secret: secret, salt: [UInt8](repeating: 0, count: Self.saltLength), iterations: iterations)
        }
    }

    static func verifyBlocking(_ secret: String, against stored: HashedSecret) throws -> Bool {
        guard stored.hash.count == Self.hashLength, stored.iterations > 0 else { return false }
        let candidate = try Self.derive(secret: secret, salt: stored.salt, iterations: stored.iterations)
        return candidate.withUnsafeBytes { a in
            stored.hash.withUnsafeBytes { b in
                CRYPTO_memcmp(a.baseAddress, b.baseAddress, Self.hashLength) == 0
            }
        }
    }

    static func derive(secret: String, salt: [UInt8], iterations: Int) throws(RPCError) -> [UInt8] {
        let password = Array(secret.utf8)
        var output = [UInt8](repeating: 0, count: Self.hashLength)
        let rc = password.withUnsafeBytes { passwordBytes in
            salt.withUnsafeBufferPointer { saltBytes in
                output.withUnsafeMutableBufferPointer { outputBytes in
                    PKCS5_PBKDF2_HMAC(
                        passwordBytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(passwordBytes.count),
                        saltBytes.baseAddress, Int32(saltBytes.count), Int32(clamping: iterations),
                        EVP_sha256(), Int32(outputBytes.count), outputBytes.baseAddress
                    )
                }
            }
        }
        guard rc == 1 else {
            throw RPCError(code: .internal, message: "the server could not hash a secret")
        }
        return output
    }
}
