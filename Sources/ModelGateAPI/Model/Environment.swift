public import ModelGateWire

/// What scoring code runs in: Python packages, a base image and build steps. Its content hash keys the cache of
/// built environments (`modelgate.v1.Environment`).
public struct Environment: ProtoMessage {
    /// The owning workspace's name; empty for an inline environment.
    public var workspace = ""
    /// The environment's name.
    public var name = ""
    /// The version, counting up from 1 per name; 0 for an inline environment.
    public var version: Int32 = 0
    /// Python version, such as "3.11"; empty means the server's python3.
    public var pythonVersion = ""
    /// pip requirement lines, such as "scikit-learn==1.5.0".
    public var pipRequirements: [String] = []
    /// A conda environment YAML, as an alternative to pip_requirements; its pip section is installed, other
    /// packages need a conda-capable backend.
    public var condaYaml = ""
    /// The base image name; replicas run locally use it only in the content hash.
    public var baseImage = ""
    /// Extra build steps run in order after the packages are installed (Azure's extra Docker steps), as shell
    /// commands in the environment.
    public var buildSteps: [String] = []
    /// Environment variables set for the scoring code.
    public var environmentVariables: [String: String] = [:]
    /// Set by the server: lower-case hex SHA-256 over the fields that define the built result, the cache key.
    public var contentHash = ""
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    /// Set by the server: when it was registered, in Unix milliseconds.
    public var createdAtUnixMs: Int64 = 0
    /// Set by the server: client id of the principal who registered it.
    public var createdBy = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.Environment"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .int32(3, "version", \.version),
        .string(4, "python_version", \.pythonVersion),
        .repeatedString(5, "pip_requirements", \.pipRequirements),
        .string(6, "conda_yaml", \.condaYaml),
        .string(7, "base_image", \.baseImage),
        .repeatedString(8, "build_steps", \.buildSteps),
        .map(9, "environment_variables", \.environmentVariables),
        .string(10, "content_hash", \.contentHash),
        .string(11, "description", \.description),
        .map(12, "tags", \.tags),
        .int64(13, "created_at_unix_ms", \.createdAtUnixMs),
        .string(14, "created_by", \.createdBy),
    ]
}
