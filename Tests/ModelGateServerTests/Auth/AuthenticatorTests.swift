import Foundation
import ModelGateAPI
import ModelGateServer
import Testing

@Suite("Authenticator")
struct AuthenticatorTests {
    @Test(
        "Missing or malformed authorization metadata is UNAUTHENTICATED with a message saying which",
        arguments: [
            ([:], "missing"),
            (["authorization": ""], "missing"),
            (["authorization": "   "], "missing"),
            (["authorization": "Basic abc"], "malformed"),
            (["authorization": "Bearer"], "malformed"),
            (["authorization": "Bearer short"], "malformed"),
            (["authorization": "Bearer " + String(repeating: "+", count: 43)], "malformed"),
            (["authorization": String(repeating: "A", count: 43)], "malformed"),
        ] as [([String: String], String)]
    )
    func badMetadataIsUnauthenticated(metadata: [String: String], word: String) async throws {
        try await withMigratedDatabase { database, _ in
            let authenticator = Self.makeAuthenticator(database)
            let error = await #expect(throws: RPCError.self) {
                try await authenticator.authenticate(metadata: metadata)
            }
            #expect(error?.code == .unauthenticated)
            #expect(error?.message.hasPrefix(word) == true, "\(error?.message ?? "")")
        }
    }

    @Test("An unknown token is UNAUTHENTICATED and says so")
    func unknownTokenIsUnauthenticated() async throws {
        try await withMigratedDatabase { database, _ in
            let error = await #expect(throws: RPCError.self) {
                try await Self.makeAuthenticator(database).authenticate(metadata: ["authorization": "Bearer " + String(repeating: "x", count: 43)])
            }
            #expect(error?.code == .unauthenticated)
            #expect(error?.message.hasPrefix("unknown access token") == true)
        }
    }

    @Test("An expired token is UNAUTHENTICATED and names the expiry")
    func expiredTokenIsUnauthenticated() async throws {
        try await withMigratedDatabase { database, _ in
            let clock = ManualClock()
            let principal = try await AccessTokenIssuerTests.makePrincipal(database)
            let issuer = AccessTokenIssuer(sessions: SessionStore(database: database), lifetime: .seconds(10), clock: clock.wallClock)
            let issued = try await issuer.issue(to: principal.id)
            clock.advance(by: 11)

            let error = await #expect(throws: RPCError.self) {
                try await Authenticator(issuer: issuer, principals: PrincipalStore(database: database))
                    .authenticate(metadata: ["authorization": "Bearer \(issued.token)"])
            }
            #expect(error?.code == .unauthenticated)
            #expect(error?.message.hasPrefix("access token expired at") == true)
            #expect(error?.message.contains(issued.token) == false)
        }
    }

    @Test("A valid token yields the principal and its roles; the scheme is case-insensitive")
    func validTokenYieldsCaller() async throws {
        try await withMigratedDatabase { database, _ in
            let principal = try await AccessTokenIssuerTests.makePrincipal(database)
            try await PrincipalStore(database: database).assign(.reader, on: "prod", to: principal.id, by: "admin", at: Date())
            let issuer = AccessTokenIssuer(sessions: SessionStore(database: database))
            let issued = try await issuer.issue(to: principal.id)

            let caller = try await Authenticator(issuer: issuer, principals: PrincipalStore(database: database))
                .authenticate(metadata: ["authorization": "bearer  \(issued.token) "])

            #expect(caller.principal == principal)
            #expect(caller.role(on: "PROD") == .reader)
            #expect(caller.role(on: "dev") == nil)
        }
    }

    static func makeAuthenticator(_ database: Database) -> Authenticator {
        Authenticator(issuer: AccessTokenIssuer(sessions: SessionStore(database: database)), principals: PrincipalStore(database: database))
    }
}
