import ModelGateServer
import NIOPosix
import Testing

@Suite("SecretHasher")
struct SecretHasherTests {
    let hasher = SecretHasher(iterations: 1_000, threadPool: .singleton)

    @Test("The right secret verifies and a wrong one does not")
    func verifiesRightAndRejectsWrong() async throws {
        let stored = try await self.hasher.hash("correct horse battery staple")

        #expect(try await self.hasher.verify("correct horse battery staple", against: stored))
        #expect(try await !self.hasher.verify("correct horse battery stapler", against: stored))
        #expect(try await !self.hasher.verify("", against: stored))
    }

    @Test("The same secret hashed twice gets different salts and hashes")
    func sameSecretGetsDifferentSalts() async throws {
        let first = try await self.hasher.hash("s3cret")
        let second = try await self.hasher.hash("s3cret")

        #expect(first.salt.count == 16)
        #expect(first.hash.count == 32)
        #expect(first.salt != second.salt)
        #expect(first.hash != second.hash)
        #expect(try await self.hasher.verify("s3cret", against: second))
    }

    @Test("Verification uses the stored iteration count, so raising the default keeps old secrets valid")
    func verificationUsesStoredIterations() async throws {
        let old = try await SecretHasher(iterations: 500, threadPool: .singleton).hash("s3cret")

        #expect(old.iterations == 500)
        #expect(try await self.hasher.verify("s3cret", against: old))
    }

    @Test("A tampered or truncated stored hash never verifies")
    func tamperedHashFails() async throws {
        var stored = try await self.hasher.hash("s3cret")
        stored.hash[0] ^= 1
        #expect(try await !self.hasher.verify("s3cret", against: stored))
        stored.hash = Array(stored.hash.prefix(8))
        #expect(try await !self.hasher.verify("s3cret", against: stored))
    }

    @Test("The default iteration count is the production one")
    func defaultIterationsAreProductionStrength() {
        #expect(SecretHasher(threadPool: .singleton).iterations == 210_000)
    }
}
