internal import CModelGateOpenSSL
public import ModelGateAPI

/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`).
public enum SecureRandom {
    /// `count` random bytes.
    ///
    /// - Throws: `INTERNAL` if OpenSSL cannot seed its generator, which on
    ///   Linux means `getrandom` failed: no secret is made from weak randomness.
    public static func bytes(_ count: Int) throws(RPCError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let rc = bytes.withUnsafeMutableBufferPointer { buffer in
            RAND_bytes(buffer.baseAddress, Int32(buffer.count))
        }
        guard rc == 1 else {
            throw RPCError(code: .internal, message: "the server's random number generator failed")
        }
        return bytes
    }

    /// `count` random bytes as unpadded base64url text (a token or secret).
    public static func token(byteCount: Int = 32) throws(RPCError) -> String {
        Base64URL.encode(try self.bytes(byteCount))
    }
}
