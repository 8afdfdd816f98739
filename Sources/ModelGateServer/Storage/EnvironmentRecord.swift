public import Foundation

/// A registered environment version as stored, with its content hash.
public struct EnvironmentRecord: Sendable, Hashable {
    public var workspace: String
    public var name: String
    /// Counts up from 1 per name.
    public var version: Int
    public var pythonVersion: String
    public var pipRequirements: [String]
    public var condaYAML: String
    public var baseImage: String
    public var buildSteps: [String]
    public var environmentVariables: [String: String]
    /// See ``EnvironmentContent``.
    public var contentHash: String
    public var description: String
    public var tags: [String: String]
    public var createdBy: String
    public var createdAt: Date

    public init(
        workspace: String, name: String, version: Int = 0, pythonVersion: String = "", pipRequirements: [String] = [],
        condaYAML: String = "", baseImage: String = "", buildSteps: [String] = [],
        environmentVariables: [String: String] = [:], contentHash: String, description: String = "",
        tags: [String: String] = [:], createdBy: String, createdAt: Date
    ) {
        self.workspace = workspace
        self.name = name
        self.version = version
        self.pythonVersion = pythonVersion
        self.pipRequirements = pipRequirements
        self.condaYAML = condaYAML
        self.baseImage = baseImage
        self.buildSteps = buildSteps
        self.environmentVariables = environmentVariables
        self.contentHash = contentHash
        self.description = description
        self.tags = tags
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    /// True when `other` was registered with the same content: every field a
    /// user gives, ignoring version, workspace case, author and time.
    func hasSameContent(as other: EnvironmentRecord) -> Bool {
        self.name == other.name && self.pythonVersion == other.pythonVersion
            && self.pipRequirements == other.pipRequirements && self.condaYAML == other.condaYAML
            && self.baseImage == other.baseImage && self.buildSteps == other.buildSteps
            && self.environmentVariables == other.environmentVariables && self.description == other.description
            && self.tags == other.tags
    }
}
