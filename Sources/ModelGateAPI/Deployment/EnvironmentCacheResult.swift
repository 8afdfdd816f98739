public import ModelGateWire

/// Where a built environment was found (`modelgate.v1.EnvironmentCacheResult`).
public struct EnvironmentCacheResult: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Not looked up yet.
    public static let unspecified = EnvironmentCacheResult(rawValue: 0)
    /// Found in the workspace's cache.
    public static let workspaceHit = EnvironmentCacheResult(rawValue: 1)
    /// Found in the global cache, and copied to the workspace's.
    public static let globalHit = EnvironmentCacheResult(rawValue: 2)
    /// Not found; built and stored in both caches.
    public static let miss = EnvironmentCacheResult(rawValue: 3)
    /// Nothing to build (no packages, no build steps): the server's own python3 runs the scoring code, and no
    /// cache is involved.
    public static let machinePython = EnvironmentCacheResult(rawValue: 4)

    public static let protoName = "modelgate.v1.EnvironmentCacheResult"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("ENVIRONMENT_CACHE_RESULT_UNSPECIFIED", 0),
        ("ENVIRONMENT_CACHE_RESULT_WORKSPACE_HIT", 1),
        ("ENVIRONMENT_CACHE_RESULT_GLOBAL_HIT", 2),
        ("ENVIRONMENT_CACHE_RESULT_MISS", 3),
        ("ENVIRONMENT_CACHE_RESULT_MACHINE_PYTHON", 4),
    ]
}
