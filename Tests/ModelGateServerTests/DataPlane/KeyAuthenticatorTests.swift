import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("KeyAuthenticator")
struct KeyAuthenticatorTests {
    let keys = ServiceKeys(primary: "primary-key-0123456789abcdefghijklmnopqrstu", secondary: "secondary-key-0123456789abcdefghijklmnopqrs")

    @Test("Both keys are accepted, as 'Bearer <key>' or bare", arguments: [
        "Bearer primary-key-0123456789abcdefghijklmnopqrstu",
        "bearer  secondary-key-0123456789abcdefghijklmnopqrs ",
        "primary-key-0123456789abcdefghijklmnopqrstu",
    ])
    func acceptsEitherKey(header: String) throws {
        let authenticator = KeyAuthenticator(serviceName: "prod/iris", keys: self.keys)
        try authenticator.authenticate(metadata: ["authorization": header])
    }

    @Test("A missing, empty or wrong key is UNAUTHENTICATED, and the message never echoes it", arguments: [
        [:], ["authorization": ""], ["authorization": "Bearer "],
        ["authorization": "Bearer primary-key-0123456789abcdefghijklmnopqrstv"],
        ["authorization": "Bearer primary-key"], ["authorization": "Basic primary-key-0123456789abcdefghijklmnopqrstu"],
    ] as [[String: String]])
    func refusesMissingOrWrongKeys(metadata: [String: String]) {
        let authenticator = KeyAuthenticator(serviceName: "prod/iris", keys: self.keys)
        let error = #expect(throws: RPCError.self) { try authenticator.authenticate(metadata: metadata) }
        #expect(error?.code == .unauthenticated)
        #expect(error?.message.contains("prod/iris") == true)
        #expect(error?.message.contains("primary-key") == false)
    }

    @Test("After an update the old primary fails at once and the secondary keeps working")
    func regenerationInvalidatesTheOldKey() throws {
        let authenticator = KeyAuthenticator(serviceName: "prod/iris", keys: self.keys)
        let fresh = try ServiceKeys.generateKey()

        authenticator.update(ServiceKeys(primary: fresh, secondary: self.keys.secondary))

        #expect(throws: RPCError.self) { try authenticator.authenticate(metadata: ["authorization": "Bearer \(self.keys.primary)"]) }
        try authenticator.authenticate(metadata: ["authorization": "Bearer \(fresh)"])
        try authenticator.authenticate(metadata: ["authorization": "Bearer \(self.keys.secondary)"])
    }

    @Test("Generated keys carry 256 bits and differ")
    func generatedKeysAreLongAndDistinct() throws {
        let keys = try ServiceKeys.generate()
        #expect(keys.primary.utf8.count == 43)
        #expect(keys.secondary.utf8.count == 43)
        #expect(keys.primary != keys.secondary)
    }

    @Test("Constant-time comparison compares lengths first, then every byte")
    func constantTimeEquality() {
        #expect(KeyAuthenticator.constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!KeyAuthenticator.constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!KeyAuthenticator.constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
        #expect(KeyAuthenticator.constantTimeEquals([], []))
    }
}
