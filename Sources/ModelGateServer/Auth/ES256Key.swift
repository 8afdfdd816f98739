internal import CModelGateOpenSSL
internal import ModelGateAPI

/// A P-256 key pair (or public key) for ES256 (ECDSA with SHA-256), held as an
/// OpenSSL `EVP_PKEY`.
///
/// JWS (RFC 7518 §3.4) carries an ES256 signature as raw `r || s`, 32 bytes
/// each; OpenSSL signs and verifies DER `ECDSA-Sig-Value`. ``sign(_:)`` and
/// ``verify(signature:of:)`` convert between the two, so callers only ever see
/// the JWS form.
///
/// `@unchecked Sendable`: the `EVP_PKEY` is never changed after `init` (only
/// read by sign, verify and export, each with its own `EVP_MD_CTX`), which
/// OpenSSL 3 documents as safe from many threads at once; `deinit` frees it.
final class ES256Key: @unchecked Sendable {
    private let key: OpaquePointer

    /// A raw JWS signature's length: `r` and `s`, 32 bytes each.
    static let signatureLength = 64
    /// DER `SubjectPublicKeyInfo` of a P-256 key, before the 64 coordinate
    /// bytes: SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING { 04 ... } }.
    private static let publicKeyInfoPrefix: [UInt8] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x08, 0x2A,
        0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
    ]

    private init(key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(self.key)
    }

    /// A fresh key pair from OpenSSL's generator.
    ///
    /// - Throws: `INTERNAL` if OpenSSL cannot generate one.
    static func generate() throws(RPCError) -> ES256Key {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw Self.failure("create a key context") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else {
            throw Self.failure("set up P-256 key generation")
        }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_generate(context, &key) == 1, let key else { throw Self.failure("generate a P-256 key") }
        return ES256Key(key: key)
    }

    /// The key pair stored by ``privateKeyDER``.
    ///
    /// - Throws: `INTERNAL` when the bytes are not a P-256 private key.
    convenience init(privateKeyDER der: [UInt8]) throws(RPCError) {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_AutoPrivateKey(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw Self.failure("read a stored signing key") }
        guard Self.isP256(parsed) else {
            EVP_PKEY_free(parsed)
            throw Self.failure("read a stored signing key (not P-256)")
        }
        self.init(key: parsed)
    }

    /// A verify-only key from its JWK coordinates (32 bytes each).
    ///
    /// - Throws: `INVALID_ARGUMENT` when the point is not on the P-256 curve.
    convenience init(publicX x: [UInt8], y: [UInt8]) throws(RPCError) {
        guard x.count == 32, y.count == 32 else {
            throw RPCError(code: .invalidArgument, message: "a P-256 public key has 32-byte x and y coordinates")
        }
        let der = Self.publicKeyInfoPrefix + x + y
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let parsed else { throw RPCError(code: .invalidArgument, message: "the coordinates are not a P-256 public key") }
        self.init(key: parsed)
    }

    /// The private key as DER (SEC 1 `ECPrivateKey`), for the database.
    func privateKeyDER() throws(RPCError) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PrivateKey(self.key, &output)
        guard length > 0, let output else { throw Self.failure("export a signing key") }
        defer { CRYPTO_free(output, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }

    /// The public key's coordinates, 32 bytes each, as a JWK's `x` and `y`.
    func publicCoordinates() throws(RPCError) -> (x: [UInt8], y: [UInt8]) {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(self.key, &output)
        guard length > 0, let output else { throw Self.failure("export a public key") }
        defer { CRYPTO_free(output, #fileID, #line) }
        let der = Array(UnsafeBufferPointer(start: output, count: Int(length)))
        let prefix = Self.publicKeyInfoPrefix
        guard der.count == prefix.count + 64, Array(der.prefix(prefix.count)) == prefix else {
            throw Self.failure("export a public key (unexpected encoding)")
        }
        return (Array(der[prefix.count..<prefix.count + 32]), Array(der[(prefix.count + 32)...]))
    }

    /// The JWS ES256 signature of `message`: raw `r || s`, 64 bytes.
    func sign(_ message: [UInt8]) throws(RPCError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw Self.failure("create a digest context") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, self.key) == 1 else { throw Self.failure("start signing") }
        var length = 0
        let sized = message.withUnsafeBufferPointer { EVP_DigestSign(context, nil, &length, $0.baseAddress, $0.count) }
        guard sized == 1, length > 0 else { throw Self.failure("size a signature") }
        var der = [UInt8](repeating: 0, count: length)
        let signed = der.withUnsafeMutableBufferPointer { output in
            message.withUnsafeBufferPointer { EVP_DigestSign(context, output.baseAddress, &length, $0.baseAddress, $0.count) }
        }
        guard signed == 1 else { throw Self.failure("sign") }
        guard let raw = Self.rawSignature(fromDER: Array(der.prefix(length))) else { throw Self.failure("convert a signature") }
        return raw
    }

    /// Whether `signature` (raw `r || s`) is this key's ES256 signature of `message`.
    ///
    /// Any malformed signature (wrong length, `r` or `s` out of range) is
    /// simply not valid: this never throws on peer input.
    func verify(signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == Self.signatureLength, let der = Self.derSignature(fromRaw: signature) else { return false }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, self.key) == 1 else { return false }
        let result = der.withUnsafeBufferPointer { signature in
            message.withUnsafeBufferPointer { message in
                EVP_DigestVerify(context, signature.baseAddress, signature.count, message.baseAddress, message.count)
            }
        }
        // A failed verify leaves an entry on OpenSSL's per-thread error queue; drop it.
        if result != 1 { ERR_clear_error() }
        return result == 1
    }

    // MARK: Signature encodings

    /// DER `ECDSA-Sig-Value` → raw `r || s` (each left-padded to 32 bytes).
    static func rawSignature(fromDER der: [UInt8]) -> [UInt8]? {
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let parsed else { return nil }
        defer { ECDSA_SIG_free(parsed) }
        guard let r = ECDSA_SIG_get0_r(parsed), let s = ECDSA_SIG_get0_s(parsed) else { return nil }
        var raw = [UInt8](repeating: 0, count: Self.signatureLength)
        let written = raw.withUnsafeMutableBufferPointer { output -> Bool in
            guard let base = output.baseAddress else { return false }
            return BN_bn2binpad(r, base, 32) == 32 && BN_bn2binpad(s, base + 32, 32) == 32
        }
        return written ? raw : nil
    }

    /// Raw `r || s` → DER `ECDSA-Sig-Value`, or nil if it cannot be one.
    static func derSignature(fromRaw raw: [UInt8]) -> [UInt8]? {
        guard raw.count == Self.signatureLength, let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        let r = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, 32, nil) }
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress.map { $0 + 32 }, 32, nil) }
        guard let r, let s else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        // set0 takes ownership of both numbers.
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_ECDSA_SIG(signature, &output)
        guard length > 0, let output else { return nil }
        defer { CRYPTO_free(output, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }

    private static func isP256(_ key: OpaquePointer) -> Bool {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(key, &buffer, buffer.count, &length) == 1 else { return false }
        let name = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
        return name == "prime256v1" || name == "p-256"
    }

    private static func failure(_ step: String) -> RPCError {
        ERR_clear_error()
        return RPCError(code: .internal, message: "OpenSSL failed to \(step)")
    }
}
