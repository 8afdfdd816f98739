public import Foundation

/// A registered model version as stored: `name:version` in a workspace, with its files.
public struct ModelRecord: Sendable, Hashable {
    /// The owning workspace, as the workspace stores its name.
    public var workspace: String
    public var name: String
    /// Counts up from 1 per name; a deleted version's number is never given again.
    public var version: Int
    public var description: String
    public var tags: [String: String]
    public var properties: [String: String]
    public var modelFramework: String
    public var modelFrameworkVersion: String
    /// Ordered by path.
    public var files: [ModelFileRecord]
    public var createdBy: String
    public var createdAt: Date

    /// Bytes over all files.
    public var sizeBytes: UInt64 { self.files.reduce(0) { $0 + $1.sizeBytes } }

    /// `name:version`, as deployments and Azure write it.
    public var id: String { "\(self.name):\(self.version)" }

    public init(
        workspace: String, name: String, version: Int, description: String = "", tags: [String: String] = [:],
        properties: [String: String] = [:], modelFramework: String = "", modelFrameworkVersion: String = "",
        files: [ModelFileRecord], createdBy: String, createdAt: Date
    ) {
        self.workspace = workspace
        self.name = name
        self.version = version
        self.description = description
        self.tags = tags
        self.properties = properties
        self.modelFramework = modelFramework
        self.modelFrameworkVersion = modelFrameworkVersion
        self.files = files
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}
