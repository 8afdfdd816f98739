public import ModelGateWire

/// A file or archive in the server's content-addressed blob store (`modelgate.v1.BlobRef`).
public struct BlobRef: ProtoMessage {
    /// Lower-case hex SHA-256 of the content; the blob's address.
    public var sha256 = ""
    /// Size of the content in bytes.
    public var sizeBytes: UInt64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.BlobRef"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "sha256", \.sha256),
        .uint64(2, "size_bytes", \.sizeBytes),
    ]
}
