public import Foundation

/// A workspace as stored: the owner of everything deployed, living in one region.
public struct WorkspaceRecord: Sendable, Hashable {
    /// Unique, case-insensitively (`Prod` and `prod` are the same workspace).
    public var name: String
    /// Stable id (a UUID) that survives nothing but this workspace.
    public var id: String
    public var region: String
    public var description: String
    public var tags: [String: String]
    /// The client id of the principal that created it.
    public var createdBy: String
    public var createdAt: Date

    public init(
        name: String, id: String, region: String, description: String = "", tags: [String: String] = [:],
        createdBy: String, createdAt: Date
    ) {
        self.name = name
        self.id = id
        self.region = region
        self.description = description
        self.tags = tags
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}
