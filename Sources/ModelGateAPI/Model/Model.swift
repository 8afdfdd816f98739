public import ModelGateWire

/// A registered, versioned set of files (`modelgate.v1.Model`).
public struct Model: ProtoMessage {
    /// The owning workspace's name.
    public var workspace = ""
    /// The model's name.
    public var name = ""
    /// The version, counting up from 1 per name.
    public var version: Int32 = 0
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    /// Key-value properties.
    public var properties: [String: String] = [:]
    /// The model's files.
    public var files: [ModelFile] = []
    /// Total size of the files in bytes.
    public var sizeBytes: UInt64 = 0
    /// The framework, such as "ScikitLearn" (Azure's model_framework).
    public var modelFramework = ""
    /// The framework's version (Azure's model_framework_version).
    public var modelFrameworkVersion = ""
    /// When it was registered, in Unix milliseconds.
    public var createdAtUnixMs: Int64 = 0
    /// Client id of the principal who registered it.
    public var createdBy = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.Model"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .int32(3, "version", \.version),
        .string(4, "description", \.description),
        .map(5, "tags", \.tags),
        .map(6, "properties", \.properties),
        .repeatedMessage(7, "files", \.files),
        .uint64(8, "size_bytes", \.sizeBytes),
        .string(9, "model_framework", \.modelFramework),
        .string(10, "model_framework_version", \.modelFrameworkVersion),
        .int64(11, "created_at_unix_ms", \.createdAtUnixMs),
        .string(12, "created_by", \.createdBy),
    ]
}
