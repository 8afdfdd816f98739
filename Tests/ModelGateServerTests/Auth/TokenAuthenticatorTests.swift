import Foundation
import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("Token verification")
struct TokenAuthenticatorTests {
    /// A verifier for `prod/iris` whose workspace has one key, and a forge holding that key.
    struct Fixture {
        let authenticator: TokenAuthenticator
        let forge: TokenForge
        let otherWorkspaceKid = "other-kid"

        init() throws {
            let clock = ManualClock()
            let keys = TokenVerificationKeys()
            let key = try ES256Key.generate()
            keys.insert(kid: "prod-kid", workspace: "prod", key: key, verifyUntil: nil)
            keys.insert(kid: "other-kid", workspace: "other", key: try ES256Key.generate(), verifyUntil: nil)
            self.authenticator = TokenAuthenticator(
                workspace: "prod", service: "iris", keys: keys, clock: clock.wallClock, clockSkew: .seconds(30)
            )
            self.forge = TokenForge(
                key: key, kid: "prod-kid", workspace: "prod", service: "iris",
                now: Int64(clock.now.timeIntervalSince1970), skew: 30
            )
        }
    }

    @Test("A token signed by the workspace's key for this service is accepted, within the clock skew too")
    func goodTokenIsAccepted() throws {
        let fixture = try Fixture()
        try fixture.authenticator.authenticate(metadata: ["authorization": "Bearer \(try fixture.forge.good())"])
        // Expired 10 s ago and valid from 10 s on: both within the 30 s skew.
        let lenient = try fixture.forge.sign(fixture.forge.claims(nbf: fixture.forge.now + 10, exp: fixture.forge.now - 10))
        try fixture.authenticator.authenticate(metadata: ["authorization": "bearer \(lenient)"])
    }

    @Test("Each bad token is UNAUTHENTICATED with a message naming what is wrong", arguments: BadToken.allCases)
    func badTokenIsRefused(_ bad: BadToken) throws {
        let fixture = try Fixture()
        let metadata = try fixture.forge.metadata(bad, otherWorkspaceKid: fixture.otherWorkspaceKid)
        let error = #expect(throws: RPCError.self) { try fixture.authenticator.authenticate(metadata: metadata) }
        #expect(error?.code == .unauthenticated)
        #expect(error?.message.contains(bad.expectedWords) == true, "\(error?.message ?? "")")
        // The message never echoes the token itself.
        if let token = metadata["authorization"]?.dropFirst(7), token.count > 20 {
            #expect(error?.message.contains(token) == false)
        }
    }

    @Test("A retired key verifies until its verify-until time, then not")
    func retiredKeyStopsAtItsTime() throws {
        let clock = ManualClock()
        let keys = TokenVerificationKeys()
        let key = try ES256Key.generate()
        keys.insert(kid: "k", workspace: "Prod", key: key, verifyUntil: nil)
        keys.retire(kid: "k", verifyUntil: clock.now.addingTimeInterval(60))
        #expect(keys.key("k", workspace: "prod", at: clock.now) != nil)
        #expect(keys.key("k", workspace: "other", at: clock.now) == nil)
        #expect(keys.key("k", workspace: "prod", at: clock.now.addingTimeInterval(60)) == nil)
    }
}
