internal import Foundation

/// Workspaces, keyed by name (case-insensitive).
public struct WorkspaceStore: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores a new workspace and, in the same transaction, makes `ownerPrincipalID`
    /// its `Owner` (the creator), so there is never a workspace nobody may manage.
    ///
    /// - Throws: ``StoreError/alreadyExists(kind:name:)`` for a taken name,
    ///   ``StoreError/notFound(kind:name:)`` for an unknown region.
    public func create(_ workspace: WorkspaceRecord, ownerPrincipalID: String? = nil) async throws {
        let tags = try Self.encodeTags(workspace.tags)
        try await self.database.write { db in
            if try db.queryFirst("SELECT 1 FROM workspaces WHERE name = ?", [.text(workspace.name)], { _ in true }) != nil {
                throw StoreError.alreadyExists(kind: "workspace", name: workspace.name)
            }
            if try db.queryFirst("SELECT 1 FROM regions WHERE name = ?", [.text(workspace.region)], { _ in true }) == nil {
                throw StoreError.notFound(kind: "region", name: workspace.region)
            }
            try db.run(
                """
                INSERT INTO workspaces (name, id, region, description, tags_json, created_by, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(workspace.name), .text(workspace.id), .text(workspace.region), .text(workspace.description),
                    .text(tags), .text(workspace.createdBy), .integer(workspace.createdAt.millisecondsSince1970),
                ]
            )
            if let ownerPrincipalID {
                try db.run(
                    """
                    INSERT OR REPLACE INTO role_assignments (principal_id, workspace, role, assigned_by, assigned_at_ms)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                    [
                        .text(ownerPrincipalID), .text(workspace.name), .text(WorkspaceRole.owner.rawValue),
                        .text(workspace.createdBy), .integer(workspace.createdAt.millisecondsSince1970),
                    ]
                )
            }
        }
    }

    /// The workspace named `name` (any case), if it exists.
    public func workspace(named name: String) async throws -> WorkspaceRecord? {
        try await self.database.read { db in
            try db.queryFirst("SELECT \(Self.columns) FROM workspaces WHERE name = ?", [.text(name)], Self.record)
        }
    }

    /// Every workspace, by name.
    public func list() async throws -> [WorkspaceRecord] {
        try await self.database.read { db in
            try db.query("SELECT \(Self.columns) FROM workspaces ORDER BY name", [], Self.record)
        }
    }

    /// Deletes the workspace named `name` and the role assignments scoped to it.
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` when there is none.
    public func delete(named name: String) async throws {
        try await self.database.write { db in
            guard let stored = try db.queryFirst("SELECT name FROM workspaces WHERE name = ?", [.text(name)], { $0.text(0) }) else {
                throw StoreError.notFound(kind: "workspace", name: name)
            }
            try db.run("DELETE FROM workspaces WHERE name = ?", [.text(stored)])
            // A later workspace of the same name must not inherit old grants.
            try db.run("DELETE FROM role_assignments WHERE workspace = ?", [.text(stored)])
        }
    }

    private static let columns = "name, id, region, description, tags_json, created_by, created_at_ms"

    private static func record(_ row: Row) -> WorkspaceRecord {
        WorkspaceRecord(
            name: row.text(0), id: row.text(1), region: row.text(2), description: row.text(3),
            tags: Self.decodeTags(row.text(4)), createdBy: row.text(5),
            createdAt: Date(millisecondsSince1970: row.int64(6))
        )
    }

    private static func encodeTags(_ tags: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(tags), as: UTF8.self)
    }

    private static func decodeTags(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }
}
