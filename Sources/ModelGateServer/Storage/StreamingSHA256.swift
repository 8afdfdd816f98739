internal import CModelGateOpenSSL

/// SHA-256 over data that arrives in pieces, through OpenSSL's EVP digest API.
///
/// Model files are hashed while they stream in, so a file is never held in
/// memory whole. Not `Sendable`: one upload owns it. A class so that the
/// context is freed exactly once.
final class StreamingSHA256 {
    private let context: OpaquePointer
    private var isFinished = false

    init() {
        // EVP_MD_CTX_new fails only when malloc does; SHA-256 init only if OpenSSL is broken.
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
        precondition(EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1, "OpenSSL SHA-256 init failed")
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(self.context)
    }

    /// Adds `bytes` to the digest.
    func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!self.isFinished, "StreamingSHA256 used after finalize()")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(self.context, base, bytes.count) == 1, "OpenSSL SHA-256 update failed")
    }

    /// Adds `bytes` to the digest.
    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { self.update($0) }
    }

    /// The digest of everything added, as lower-case hex. Call it once.
    func finalize() -> String {
        precondition(!self.isFinished, "StreamingSHA256.finalize() called twice")
        self.isFinished = true
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let rc = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(self.context, $0.baseAddress, &length) }
        precondition(rc == 1 && length == 32, "OpenSSL SHA-256 final failed")
        return Self.hex(digest)
    }

    /// Lower-case hex of `bytes`.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// True for a 64-character lower-case hex string: the only shape a blob name takes.
    static func isValidHex(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 64 && bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
