/// A client secret as stored: PBKDF2-HMAC-SHA256 output, its salt and its
/// iteration count.
///
/// The iteration count travels with the hash so that raising the default
/// later does not lock out principals created under the old one.
public struct HashedSecret: Sendable, Hashable {
    public var hash: [UInt8]
    public var salt: [UInt8]
    public var iterations: Int

    public init(hash: [UInt8], salt: [UInt8], iterations: Int) {
        self.hash = hash
        self.salt = salt
        self.iterations = iterations
    }
}
