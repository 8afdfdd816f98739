internal import Foundation

/// Registered environment versions, by workspace and name.
public struct EnvironmentStore: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores `environment` as the next version of its name, unless the latest
    /// version has the same content, which is then returned as it is (as Azure's
    /// `Environment.register` does).
    ///
    /// - Returns: The stored (or existing) version.
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown workspace.
    public func register(_ environment: EnvironmentRecord) async throws -> EnvironmentRecord {
        try await self.database.write { db in
            guard let workspace = try db.queryFirst(
                "SELECT name FROM workspaces WHERE name = ?", [.text(environment.workspace)], { $0.text(0) }
            ) else {
                throw StoreError.notFound(kind: "workspace", name: environment.workspace)
            }
            if let latest = try db.queryFirst(
                "SELECT \(Self.columns) FROM environments WHERE workspace = ? AND name = ? ORDER BY version DESC LIMIT 1",
                [.text(workspace), .text(environment.name)], Self.record
            ), latest.hasSameContent(as: environment) {
                return latest
            }
            let version = try db.queryFirst(
                """
                INSERT INTO environment_names (workspace, name, last_version) VALUES (?, ?, 1)
                ON CONFLICT (workspace, name) DO UPDATE SET last_version = last_version + 1
                RETURNING last_version
                """,
                [.text(workspace), .text(environment.name)]
            ) { $0.int(0) } ?? 1
            var stored = environment
            stored.workspace = workspace
            stored.version = version
            try db.run(
                """
                INSERT INTO environments (workspace, name, version, python_version, pip_requirements_json, conda_yaml,
                    base_image, build_steps_json, environment_variables_json, content_hash, description, tags_json,
                    created_by, created_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(workspace), .text(stored.name), .int(version), .text(stored.pythonVersion),
                    .text(JSONColumn.encode(stored.pipRequirements)), .text(stored.condaYAML), .text(stored.baseImage),
                    .text(JSONColumn.encode(stored.buildSteps)), .text(JSONColumn.encode(stored.environmentVariables)),
                    .text(stored.contentHash), .text(stored.description), .text(JSONColumn.encode(stored.tags)),
                    .text(stored.createdBy), .integer(stored.createdAt.millisecondsSince1970),
                ]
            )
            return stored
        }
    }

    /// One version, or the latest when `version` is `nil`.
    public func environment(workspace: String, name: String, version: Int? = nil) async throws -> EnvironmentRecord? {
        try await self.database.read { db in
            try db.queryFirst(
                """
                SELECT \(Self.columns) FROM environments WHERE workspace = ?1 AND name = ?2 AND (?3 IS NULL OR version = ?3)
                ORDER BY version DESC LIMIT 1
                """,
                [.text(workspace), .text(name), version.map { .int($0) } ?? .null],
                Self.record
            )
        }
    }

    /// The versions in `workspace`, by name then version; only `name`'s when given,
    /// only the newest of each name with `latestOnly`.
    public func list(workspace: String, name: String? = nil, latestOnly: Bool = false) async throws -> [EnvironmentRecord] {
        let records = try await self.database.read { db in
            try db.query(
                "SELECT \(Self.columns) FROM environments WHERE workspace = ?1 AND (?2 IS NULL OR name = ?2) ORDER BY name, version",
                [.text(workspace), .optionalText(name)],
                Self.record
            )
        }
        guard latestOnly else { return records }
        var latest: [String: EnvironmentRecord] = [:]
        for record in records where (latest[record.name]?.version ?? 0) < record.version {
            latest[record.name] = record
        }
        return latest.values.sorted { $0.name < $1.name }
    }

    private static let columns = """
        workspace, name, version, python_version, pip_requirements_json, conda_yaml, base_image, build_steps_json,
        environment_variables_json, content_hash, description, tags_json, created_by, created_at_ms
        """

    private static func record(_ row: Row) -> EnvironmentRecord {
        EnvironmentRecord(
            workspace: row.text(0), name: row.text(1), version: row.int(2), pythonVersion: row.text(3),
            pipRequirements: JSONColumn.list(row.text(4)), condaYAML: row.text(5), baseImage: row.text(6),
            buildSteps: JSONColumn.list(row.text(7)), environmentVariables: JSONColumn.map(row.text(8)),
            contentHash: row.text(9), description: row.text(10), tags: JSONColumn.map(row.text(11)),
            createdBy: row.text(12), createdAt: Date(millisecondsSince1970: row.int64(13))
        )
    }
}
