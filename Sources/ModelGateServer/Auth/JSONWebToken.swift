internal import Foundation
internal import ModelGateAPI

/// Compact JWS (RFC 7515 §7.1) encoding of ES256 scoring tokens:
/// `base64url(header) . base64url(claims) . base64url(r || s)`.
///
/// ``parse(_:)`` only splits and decodes; it trusts nothing. Checking the
/// algorithm, key, signature and claims is ``TokenAuthenticator``'s job, in
/// that order, so no claim is believed before its signature verifies.
struct JSONWebToken: Sendable {
    var header: TokenHeader
    /// The raw claims JSON, parsed only after the signature verifies.
    var payload: [UInt8]
    /// The signed bytes: the first two segments and the dot between them.
    var signingInput: [UInt8]
    /// The raw signature segment, decoded.
    var signature: [UInt8]

    /// Why a token could not even be parsed.
    enum ParseError: Error, Hashable {
        /// Not three dot-separated segments.
        case notCompact
        /// A segment is not unpadded base64url.
        case badBase64(segment: String)
        /// The header is not the JSON object a JOSE header is.
        case badHeaderJSON
    }

    /// Splits and decodes `token`; the header is parsed, the claims are not.
    static func parse(_ token: some StringProtocol) throws(ParseError) -> JSONWebToken {
        let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else { throw .notCompact }
        guard let headerBytes = Base64URL.decode(String(decoding: segments[0], as: UTF8.self)) else {
            throw .badBase64(segment: "header")
        }
        guard let payload = Base64URL.decode(String(decoding: segments[1], as: UTF8.self)) else {
            throw .badBase64(segment: "payload")
        }
        guard let signature = Base64URL.decode(String(decoding: segments[2], as: UTF8.self)) else {
            throw .badBase64(segment: "signature")
        }
        guard let header = try? JSONDecoder().decode(TokenHeader.self, from: Data(headerBytes)) else { throw .badHeaderJSON }
        let signingInput = Array(segments[0]) + [UInt8(ascii: ".")] + Array(segments[1])
        return JSONWebToken(header: header, payload: payload, signingInput: signingInput, signature: signature)
    }

    /// A signed token for `claims` with `key`, naming `keyID` in its header.
    static func sign(_ claims: TokenClaims, keyID: String, with key: ES256Key) throws -> String {
        let header = TokenHeader(alg: TokenHeader.algorithm, typ: "JWT", kid: keyID)
        return try Self.sign(header: Self.json(header), payload: Self.json(claims), with: key)
    }

    /// A token with exactly these header and payload bytes, signed with `key`
    /// (tests use it to make well-signed tokens with bad contents).
    static func sign(header: [UInt8], payload: [UInt8], with key: ES256Key) throws(RPCError) -> String {
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature = try key.sign(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Compact JSON with sorted keys and unescaped slashes (`aud` has one).
    static func json(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
