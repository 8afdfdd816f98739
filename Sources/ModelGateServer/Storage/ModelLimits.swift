/// How big a registered model may be, and how many a deployment may use.
///
/// Each breach is refused with a status that names the limit and the value:
/// size and file count with `RESOURCE_EXHAUSTED` (the server's quota), a path
/// or a model list that can never be valid with `INVALID_ARGUMENT`.
public struct ModelLimits: Sendable, Hashable {
    /// Most bytes in one model version, over all its files. Default 32 GiB.
    public var maxModelBytes: UInt64
    /// Most files in one model version. Default 10,000.
    public var maxFilesPerModel: Int
    /// Longest file path inside a model, in UTF-8 bytes. Default 1024.
    public var maxPathBytes: Int

    /// Most models one deployment may reference: Azure's limit of 1,000 models
    /// per deployment (per container), which the seeds name.
    public static let maxModelsPerDeployment = 1000
    /// Longest single path component, in bytes: what Linux file systems allow.
    public static let maxPathComponentBytes = 255

    public init(maxModelBytes: UInt64 = 32 << 30, maxFilesPerModel: Int = 10_000, maxPathBytes: Int = 1024) {
        self.maxModelBytes = maxModelBytes
        self.maxFilesPerModel = maxFilesPerModel
        self.maxPathBytes = maxPathBytes
    }
}
