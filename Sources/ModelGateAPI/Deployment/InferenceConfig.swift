public import ModelGateWire

/// What runs the model: the scoring script, its source directory and its environment
/// (`modelgate.v1.InferenceConfig`).
public struct InferenceConfig: ProtoMessage {
    /// Path of the entry script inside the source directory, such as "score.py"; it defines init() and
    /// run(raw_data).
    public var entryScript = ""
    /// The source directory as a gzip-compressed tar archive, packed by the client (honouring .amlignore, else
    /// .gitignore). Empty when source_archive_ref is given.
    public var sourceArchive: [UInt8] = []
    /// An archive the server already holds (from an earlier deployment), named by hash so the client need not
    /// send it again; FAILED_PRECONDITION if unknown.
    public var sourceArchiveRef: BlobRef?
    /// A registered environment's name; empty means the inline environment.
    public var environmentName = ""
    /// The registered environment's version; 0 means its latest.
    public var environmentVersion: Int32 = 0
    /// The runtime; empty means "python", the only one supported.
    public var runtime = ""
    /// The client-side path the archive was packed from, for display.
    public var sourceDirectory = ""
    /// An unregistered environment, used when environment_name is empty.
    public var environment: Environment?
    /// Free text.
    public var description = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.InferenceConfig"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "entry_script", \.entryScript),
        .bytes(2, "source_archive", \.sourceArchive),
        .message(3, "source_archive_ref", \.sourceArchiveRef),
        .string(4, "environment_name", \.environmentName),
        .int32(5, "environment_version", \.environmentVersion),
        .string(6, "runtime", \.runtime),
        .string(7, "source_directory", \.sourceDirectory),
        .message(8, "environment", \.environment),
        .string(9, "description", \.description),
    ]
}
