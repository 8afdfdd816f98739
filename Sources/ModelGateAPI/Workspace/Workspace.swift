public import ModelGateWire

/// The owner of models, environments, computes and services; it lives in one region, and so does its token
/// service (`modelgate.v1.Workspace`).
public struct Workspace: ProtoMessage {
    /// Unique name: 3-33 characters, letters, digits and hyphens, starting with a letter.
    public var name = ""
    /// The region the workspace and its token service live in, such as "westeurope".
    public var region = ""
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    /// When the workspace was created, in Unix milliseconds.
    public var createdAtUnixMs: Int64 = 0
    /// Client id of the principal who created it.
    public var createdBy = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.Workspace"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .string(2, "region", \.region),
        .string(3, "description", \.description),
        .map(4, "tags", \.tags),
        .int64(5, "created_at_unix_ms", \.createdAtUnixMs),
        .string(6, "created_by", \.createdBy),
    ]
}
