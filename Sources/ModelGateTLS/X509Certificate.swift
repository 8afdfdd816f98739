internal import CModelGateOpenSSL

/// Reading facts from an OpenSSL `X509`, for logs and tests.
enum X509Certificate {
    /// SHA-256 over the DER certificate, as `AB:CD:...`, or `nil` if OpenSSL cannot hash it.
    static func fingerprint(of certificate: OpaquePointer) -> String? {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1 else { return nil }
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }
}
