import CModelGateOpenSSL
import Foundation
import Testing
@testable import ModelGateServer

/// Every kind of token the scoring path must refuse, each made as an attacker
/// or a confused client would make it, with the words its refusal must say.
enum BadToken: String, CaseIterable, Sendable, CustomStringConvertible {
    case algNone
    case hs256WithPublicKeyAsSecret
    case unknownKid
    case kidOfAnotherWorkspace
    case tamperedPayload
    case tamperedSignature
    case expired
    case notYetValid
    case audienceOfAnotherService
    case issuerOfAnotherWorkspace
    case serviceKeyInsteadOfToken
    case malformedBase64
    case malformedHeaderJSON
    case malformedClaimsJSON
    case audienceArray
    case over8KiB
    case missing

    var description: String { self.rawValue }

    /// What the refusal's message must contain.
    var expectedWords: String {
        switch self {
        case .algNone: "alg 'none' is not accepted"
        case .hs256WithPublicKeyAsSecret: "alg 'HS256' is not accepted"
        case .unknownKid, .kidOfAnotherWorkspace: "unknown signing key"
        case .tamperedPayload, .tamperedSignature: "signature does not verify"
        case .expired: "expired"
        case .notYetValid: "not valid before"
        case .audienceOfAnotherService: "not for this service"
        case .issuerOfAnotherWorkspace: "not by workspace"
        case .serviceKeyInsteadOfToken: "uses token auth"
        case .malformedBase64: "not base64url"
        case .malformedHeaderJSON: "header is not a JSON object"
        case .malformedClaimsJSON, .audienceArray: "claims are not JSON"
        case .over8KiB: "over 8 KiB"
        case .missing: "missing token"
        }
    }
}

/// Makes good and bad tokens for one service with its workspace's real key.
struct TokenForge {
    let key: ES256Key
    let kid: String
    let workspace: String
    let service: String
    /// The verifier's clock, in seconds since 1970.
    let now: Int64
    /// The verifier's clock skew in seconds: bad times are placed beyond it.
    let skew: Int64

    func claims(iss: String? = nil, aud: String? = nil, nbf: Int64? = nil, exp: Int64? = nil) -> TokenClaims {
        TokenClaims(
            iss: iss ?? TokenClaims.issuer(workspace: self.workspace),
            aud: aud ?? TokenClaims.audience(workspace: self.workspace, service: self.service),
            sub: "tester", iat: self.now - 5, nbf: nbf ?? self.now - 5, exp: exp ?? self.now + 600
        )
    }

    func header(alg: String = "ES256", kid: String? = nil) -> [UInt8] {
        Array(#"{"alg":"\#(alg)","kid":"\#(kid ?? self.kid)","typ":"JWT"}"#.utf8)
    }

    func sign(_ claims: TokenClaims) throws -> String {
        try JSONWebToken.sign(header: self.header(), payload: JSONWebToken.json(claims), with: self.key)
    }

    /// A token that verifies.
    func good() throws -> String { try self.sign(self.claims()) }

    /// The `authorization` metadata carrying `bad`.
    func metadata(_ bad: BadToken, otherWorkspaceKid: String) throws -> [String: String] {
        let token: String
        switch bad {
        case .algNone:
            token = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + Base64URL.encode(try JSONWebToken.json(self.claims())) + "."
        case .hs256WithPublicKeyAsSecret:
            // The classic confusion attack: HMAC keyed with the public key a verifier publishes.
            let (x, y) = try self.key.publicCoordinates()
            let secret = Array(#"{"crv":"P-256","kty":"EC","x":"\#(Base64URL.encode(x))","y":"\#(Base64URL.encode(y))"}"#.utf8)
            let input = Base64URL.encode(self.header(alg: "HS256")) + "." + Base64URL.encode(try JSONWebToken.json(self.claims()))
            token = input + "." + Base64URL.encode(Self.hmacSHA256(key: secret, message: Array(input.utf8)))
        case .unknownKid:
            token = try JSONWebToken.sign(header: self.header(kid: "no-such-key"), payload: JSONWebToken.json(self.claims()), with: self.key)
        case .kidOfAnotherWorkspace:
            token = try JSONWebToken.sign(header: self.header(kid: otherWorkspaceKid), payload: JSONWebToken.json(self.claims()), with: self.key)
        case .tamperedPayload:
            let parts = try self.good().split(separator: ".").map(String.init)
            var forged = self.claims()
            forged.sub = "admin"
            forged.exp += 86_400
            token = parts[0] + "." + Base64URL.encode(try JSONWebToken.json(forged)) + "." + parts[2]
        case .tamperedSignature:
            let parts = try self.good().split(separator: ".").map(String.init)
            var signature = try #require(Base64URL.decode(parts[2]))
            signature[5] ^= 0x20
            token = parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
        case .expired:
            token = try self.sign(self.claims(exp: self.now - self.skew - 2))
        case .notYetValid:
            token = try self.sign(self.claims(nbf: self.now + self.skew + 60))
        case .audienceOfAnotherService:
            token = try self.sign(self.claims(aud: TokenClaims.audience(workspace: self.workspace, service: "other-service")))
        case .issuerOfAnotherWorkspace:
            token = try self.sign(self.claims(iss: TokenClaims.issuer(workspace: "other-workspace")))
        case .serviceKeyInsteadOfToken:
            token = try SecureRandom.token(byteCount: 32)
        case .malformedBase64:
            let parts = try self.good().split(separator: ".").map(String.init)
            token = parts[0] + "." + parts[1].replacingOccurrences(of: "A", with: "+") + "+=" + "." + parts[2]
        case .malformedHeaderJSON:
            token = try JSONWebToken.sign(header: Array("{\"alg\":".utf8), payload: JSONWebToken.json(self.claims()), with: self.key)
        case .malformedClaimsJSON:
            token = try JSONWebToken.sign(header: self.header(), payload: Array(#"{"iss":"x","exp":"#.utf8), with: self.key)
        case .audienceArray:
            let claims = self.claims()
            let payload = #"{"aud":["\#(claims.aud)"],"exp":\#(claims.exp),"iat":\#(claims.iat),"iss":"\#(claims.iss)","nbf":\#(claims.nbf),"sub":"t"}"#
            token = try JSONWebToken.sign(header: self.header(), payload: Array(payload.utf8), with: self.key)
        case .over8KiB:
            var claims = self.claims()
            claims.sub = String(repeating: "x", count: 9 * 1024)
            token = try self.sign(claims)
        case .missing:
            return [:]
        }
        return ["authorization": "Bearer \(token)"]
    }

    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count, &output, &length)
            }
        }
        return output
    }
}
