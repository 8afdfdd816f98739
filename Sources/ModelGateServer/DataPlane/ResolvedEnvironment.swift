public import ModelGateAPI

/// An environment ready to run scoring code: the Python to start replicas with,
/// and where it came from.
public struct ResolvedEnvironment: Sendable, Hashable {
    /// The Python executable a replica runs (`<venv>/bin/python`, or the server's own python3).
    public var pythonExecutable: String
    /// The Python's version, such as `3.11.7`.
    public var pythonVersion: String
    /// How it was found: `.workspaceHit`, `.globalHit`, `.miss` (built now) or
    /// `.machinePython` (nothing to build; no cache involved).
    public var cacheResult: EnvironmentCacheResult
    /// The virtual environment's folder, or the server Python's `sys.prefix`.
    public var location: String
    /// The environment's content hash (see ``EnvironmentContent``).
    public var contentHash: String
    /// Variables to set for the scoring code, from the environment definition.
    public var environmentVariables: [String: String]

    public init(
        pythonExecutable: String, pythonVersion: String, cacheResult: EnvironmentCacheResult, location: String,
        contentHash: String, environmentVariables: [String: String]
    ) {
        self.pythonExecutable = pythonExecutable
        self.pythonVersion = pythonVersion
        self.cacheResult = cacheResult
        self.location = location
        self.contentHash = contentHash
        self.environmentVariables = environmentVariables
    }
}
