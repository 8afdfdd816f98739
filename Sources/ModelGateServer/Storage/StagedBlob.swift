/// A fully written, hashed file waiting in `blobs/tmp/` to become a blob.
///
/// ``BlobStore/promote(_:)`` moves it into place; ``BlobStore/discard(_:)``
/// removes it when the upload fails or the blob already exists.
public struct StagedBlob: Sendable, Hashable {
    /// Where the bytes are now.
    public var temporaryPath: String
    /// Lower-case hex SHA-256 of the bytes.
    public var sha256: String
    public var sizeBytes: UInt64
}
