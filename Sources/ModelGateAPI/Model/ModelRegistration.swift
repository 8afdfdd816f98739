public import ModelGateWire

/// What a model registration is about; sent in the first RegisterModelRequest
/// (`modelgate.v1.ModelRegistration`).
public struct ModelRegistration: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The model's name; a new version is added if it exists.
    public var name = ""
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    /// Key-value properties.
    public var properties: [String: String] = [:]
    /// The framework, such as "ScikitLearn".
    public var modelFramework = ""
    /// The framework's version.
    public var modelFrameworkVersion = ""
    /// The files that will follow, if the client knows them; the server then checks every size and hash and
    /// fails with DATA_LOSS on a mismatch.
    public var files: [ModelFile] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ModelRegistration"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .string(3, "description", \.description),
        .map(4, "tags", \.tags),
        .map(5, "properties", \.properties),
        .string(6, "model_framework", \.modelFramework),
        .string(7, "model_framework_version", \.modelFrameworkVersion),
        .repeatedMessage(8, "files", \.files),
    ]
}
