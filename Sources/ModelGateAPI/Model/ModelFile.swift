public import ModelGateWire

/// One file of a model (`modelgate.v1.ModelFile`).
public struct ModelFile: ProtoMessage {
    /// Path relative to the model's root, with "/" separators; no "..".
    public var path = ""
    /// Size in bytes.
    public var sizeBytes: UInt64 = 0
    /// Lower-case hex SHA-256 of the content.
    public var sha256 = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ModelFile"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "path", \.path),
        .uint64(2, "size_bytes", \.sizeBytes),
        .string(3, "sha256", \.sha256),
    ]
}
