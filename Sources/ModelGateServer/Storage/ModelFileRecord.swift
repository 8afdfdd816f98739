/// One file of a stored model version: where it sits in the model, and the blob holding it.
public struct ModelFileRecord: Sendable, Hashable {
    /// Relative to the model's root, `/`-separated (checked by ``ModelFilePath``).
    public var path: String
    public var sizeBytes: UInt64
    /// Lower-case hex SHA-256: the blob's name in the ``BlobStore``.
    public var sha256: String

    public init(path: String, sizeBytes: UInt64, sha256: String) {
        self.path = path
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
    }
}
