import Foundation
import ModelGateServer
import Testing

@Suite("AccessTokenIssuer")
struct AccessTokenIssuerTests {
    /// Creates a principal so tokens have something to reference.
    static func makePrincipal(_ database: Database, clientID: String = "client-1") async throws -> PrincipalRecord {
        let principal = PrincipalRecord(
            id: UUID().uuidString, clientID: clientID, displayName: "someone", kind: .user, isAdmin: false,
            createdAt: Date(timeIntervalSince1970: 1_750_000_000.123)
        )
        try await PrincipalStore(database: database).create(principal, secret: HashedSecret(hash: [1], salt: [2], iterations: 1))
        return principal
    }

    @Test("An issued token verifies until its lifetime ends, then reports expired")
    func tokenExpiresAfterLifetime() async throws {
        try await withMigratedDatabase { database, _ in
            let clock = ManualClock()
            let issuer = AccessTokenIssuer(sessions: SessionStore(database: database), lifetime: .seconds(3600), clock: clock.wallClock)
            let principal = try await Self.makePrincipal(database)

            // When
            let issued = try await issuer.issue(to: principal.id)

            // Then
            #expect(issued.token.count == AccessTokenIssuer.tokenLength)
            #expect(Base64URL.isValid(issued.token))
            #expect(issued.expiresAt == clock.now.addingTimeInterval(3600))
            clock.advance(by: 3599)
            #expect(try await issuer.verify(issued.token) == .valid(principalID: principal.id, expiresAt: issued.expiresAt))
            clock.advance(by: 1)
            #expect(try await issuer.verify(issued.token) == .expired(at: issued.expiresAt))
        }
    }

    @Test("An unknown token is unknown")
    func unknownTokenIsUnknown() async throws {
        try await withMigratedDatabase { database, _ in
            let issuer = AccessTokenIssuer(sessions: SessionStore(database: database))
            let verification = try await issuer.verify(String(repeating: "A", count: 43))
            #expect(verification == .unknown)
        }
    }

    @Test("Only the token's hash is stored, and tokens are unique")
    func onlyHashIsStored() async throws {
        try await withMigratedDatabase { database, _ in
            let issuer = AccessTokenIssuer(sessions: SessionStore(database: database))
            let principal = try await Self.makePrincipal(database)
            let first = try await issuer.issue(to: principal.id)
            let second = try await issuer.issue(to: principal.id)
            #expect(first.token != second.token)

            let stored = try await database.read { db in
                try db.query("SELECT token_hash FROM access_tokens") { $0.blob(0) }
            }
            #expect(stored.count == 2)
            #expect(stored.contains(SHA256.hash(first.token.utf8)))
            #expect(!stored.contains(Array(first.token.utf8)))
        }
    }

    @Test("A token survives closing and reopening the database")
    func tokenSurvivesRestart() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/modelgate.sqlite"
        let first = try await Database(path: path)
        try await Migrations.migrate(first, logger: quietLogger)
        let principal = try await Self.makePrincipal(first)
        let issued = try await AccessTokenIssuer(sessions: SessionStore(database: first)).issue(to: principal.id)
        await first.close()

        let second = try await Database(path: path)
        let verification = try await AccessTokenIssuer(sessions: SessionStore(database: second)).verify(issued.token)
        #expect(verification == .valid(principalID: principal.id, expiresAt: issued.expiresAt))
        await second.close()
    }

    @Test("Revoking a token or deleting its principal makes it unknown")
    func revokedTokenIsUnknown() async throws {
        try await withMigratedDatabase { database, _ in
            let issuer = AccessTokenIssuer(sessions: SessionStore(database: database))
            let principal = try await Self.makePrincipal(database)
            let revoked = try await issuer.issue(to: principal.id)
            let orphaned = try await issuer.issue(to: principal.id)

            try await issuer.revoke(revoked.token)
            #expect(try await issuer.verify(revoked.token) == .unknown)

            try await PrincipalStore(database: database).delete(clientID: principal.clientID)
            #expect(try await issuer.verify(orphaned.token) == .unknown)
        }
    }

    @Test("Long-expired tokens are purged when new ones are issued")
    func longExpiredTokensArePurged() async throws {
        try await withMigratedDatabase { database, _ in
            let clock = ManualClock()
            let issuer = AccessTokenIssuer(sessions: SessionStore(database: database), lifetime: .seconds(60), clock: clock.wallClock)
            let principal = try await Self.makePrincipal(database)
            let old = try await issuer.issue(to: principal.id)

            clock.advance(by: 30 * 24 * 3600)
            _ = try await issuer.issue(to: principal.id)

            #expect(try await issuer.verify(old.token) == .unknown)
            #expect(try await database.read { try $0.queryFirst("SELECT count(*) FROM access_tokens") { $0.int(0) } } == 1)
        }
    }
}
