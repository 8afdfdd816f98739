import Foundation
import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("ES256 keys and base64url")
struct ES256KeyTests {
    @Test("A signature verifies with its key, survives the DER round trip, and fails for other bytes or keys")
    func signAndVerify() throws {
        // Given a key and a message
        let key = try ES256Key.generate()
        let message = Array("header.payload".utf8)

        // When it signs
        let signature = try key.sign(message)

        // Then the raw JWS form verifies, and nothing else does
        #expect(signature.count == 64)
        #expect(key.verify(signature: signature, of: message))
        #expect(!key.verify(signature: signature, of: Array("header.payloaD".utf8)))
        var flipped = signature
        flipped[10] ^= 0x01
        #expect(!key.verify(signature: flipped, of: message))
        #expect(!key.verify(signature: Array(signature.prefix(63)), of: message))
        #expect(!key.verify(signature: [UInt8](repeating: 0, count: 64), of: message))
        #expect(!key.verify(signature: [UInt8](repeating: 0xFF, count: 64), of: message))
        #expect(try !ES256Key.generate().verify(signature: signature, of: message))

        // And the stored private key and the published coordinates are the same key
        let restored = try ES256Key(privateKeyDER: try key.privateKeyDER())
        #expect(restored.verify(signature: signature, of: message))
        let (x, y) = try key.publicCoordinates()
        #expect(try ES256Key(publicX: x, y: y).verify(signature: try restored.sign(message), of: message))
    }

    @Test("Raw r||s and DER signatures convert both ways, keeping leading zero bytes")
    func signatureEncodings() throws {
        var raw = [UInt8](repeating: 0, count: 64)
        raw[31] = 1  // r = 1: DER drops 31 leading zeros
        raw[32] = 0x80  // s with its top bit set: DER adds a zero byte
        raw[63] = 7
        let der = try #require(ES256Key.derSignature(fromRaw: raw))
        #expect(ES256Key.rawSignature(fromDER: der) == raw)
        #expect(ES256Key.derSignature(fromRaw: Array(raw.prefix(40))) == nil)
        #expect(ES256Key.rawSignature(fromDER: [0x30, 0x01]) == nil)
    }

    @Test("Stored bytes that are not a P-256 key are refused, not trusted")
    func badPrivateKeyIsRefused() {
        #expect(throws: RPCError.self) { try ES256Key(privateKeyDER: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(throws: RPCError.self) { try ES256Key(publicX: [UInt8](repeating: 1, count: 32), y: [UInt8](repeating: 2, count: 32)) }
    }

    @Test(
        "base64url decodes what it encodes, for every length",
        arguments: 0..<20
    )
    func base64RoundTrip(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }

    @Test(
        "base64url refuses padding, other alphabets, impossible lengths and non-zero unused bits",
        arguments: ["QQ==", "a+b/", "A", "abcde", "QR", "QUJ", "Zm9v YmFy", "é"]
    )
    func base64Refusals(text: String) {
        // "QR" and "QUJ" leave non-zero bits after the last whole byte.
        #expect(Base64URL.decode(text) == nil, "\(text)")
    }
}
