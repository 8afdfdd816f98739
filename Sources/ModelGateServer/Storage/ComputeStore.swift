internal import Foundation

/// Compute targets attached to workspaces, keyed by workspace and name (case-insensitive).
public struct ComputeStore: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores a newly attached target.
    ///
    /// - Returns: The target as stored (the workspace's name as the workspace spells it).
    /// - Throws: ``StoreError/alreadyExists(kind:name:)`` for a taken name,
    ///   ``StoreError/notFound(kind:name:)`` for an unknown workspace or region.
    public func attach(_ compute: ComputeRecord) async throws -> ComputeRecord {
        try await self.database.write { db in
            guard let workspace = try db.queryFirst(
                "SELECT name FROM workspaces WHERE name = ?", [.text(compute.workspace)], { $0.text(0) }
            ) else {
                throw StoreError.notFound(kind: "workspace", name: compute.workspace)
            }
            if try db.queryFirst("SELECT 1 FROM regions WHERE name = ?", [.text(compute.region)], { _ in true }) == nil {
                throw StoreError.notFound(kind: "region", name: compute.region)
            }
            if try db.queryFirst(
                "SELECT 1 FROM computes WHERE workspace = ? AND name = ?", [.text(workspace), .text(compute.name)], { _ in true }
            ) != nil {
                throw StoreError.alreadyExists(kind: "compute target", name: compute.name)
            }
            var stored = compute
            stored.workspace = workspace
            try db.run(
                """
                INSERT INTO computes (workspace, name, type, region, purpose, cpu_cores, memory_gb, gpus,
                    description, tags_json, created_by, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(workspace), .text(stored.name), .text(stored.kind.rawValue), .text(stored.region),
                    .text(stored.purpose.rawValue), .real(stored.cpuCores), .real(stored.memoryGB), .int(stored.gpus),
                    .text(stored.description), .text(JSONColumn.encode(stored.tags)), .text(stored.createdBy),
                    .integer(stored.createdAt.millisecondsSince1970),
                ]
            )
            return stored
        }
    }

    /// The target named `name` (any case) in `workspace`, if attached.
    public func compute(workspace: String, name: String) async throws -> ComputeRecord? {
        try await self.database.read { db in
            try db.queryFirst(
                "SELECT \(Self.columns) FROM computes WHERE workspace = ? AND name = ?", [.text(workspace), .text(name)], Self.record
            )
        }
    }

    /// The workspace's targets, by name.
    public func list(workspace: String) async throws -> [ComputeRecord] {
        try await self.database.read { db in
            try db.query("SELECT \(Self.columns) FROM computes WHERE workspace = ? ORDER BY name", [.text(workspace)], Self.record)
        }
    }

    /// Detaches (forgets) a target.
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` when there is none.
    public func detach(workspace: String, name: String) async throws {
        try await self.database.write { db in
            let deleted = try db.run("DELETE FROM computes WHERE workspace = ? AND name = ?", [.text(workspace), .text(name)])
            guard deleted == 1 else { throw StoreError.notFound(kind: "compute target", name: name) }
        }
    }

    private static let columns = """
        workspace, name, type, region, purpose, cpu_cores, memory_gb, gpus, description, tags_json, created_by, created_at_ms
        """

    private static func record(_ row: Row) -> ComputeRecord {
        ComputeRecord(
            workspace: row.text(0), name: row.text(1), kind: ComputeRecord.Kind(rawValue: row.text(2)) ?? .aks,
            region: row.text(3), purpose: ComputeRecord.Purpose(rawValue: row.text(4)) ?? .fastProd,
            cpuCores: row.double(5), memoryGB: row.double(6), gpus: row.int(7), description: row.text(8),
            tags: JSONColumn.map(row.text(9)), createdBy: row.text(10), createdAt: Date(millisecondsSince1970: row.int64(11))
        )
    }
}
