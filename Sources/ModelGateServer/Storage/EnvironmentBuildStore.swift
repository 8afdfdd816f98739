internal import Foundation

/// The cache of built environments, by content hash: the global cache (every
/// build on this server) and each workspace's cache (the builds it has used).
///
/// Only bookkeeping: ``EnvironmentCache`` decides, builds, and checks that a
/// recorded build is still on disk.
struct EnvironmentBuildStore: Sendable {
    /// A built environment as recorded.
    struct Build: Sendable, Hashable {
        var contentHash: String
        /// The virtual environment's folder.
        var location: String
        var pythonExecutable: String
        var builtAt: Date
    }

    private let database: Database

    init(database: Database) {
        self.database = database
    }

    /// The recorded build for `contentHash`, and whether `workspace`'s cache holds it.
    func lookup(_ contentHash: String, workspace: String) async throws -> (build: Build, inWorkspace: Bool)? {
        try await self.database.read { db in
            try db.queryFirst(
                """
                SELECT b.content_hash, b.location, b.python_executable, b.built_at_ms,
                    EXISTS (SELECT 1 FROM workspace_environment_cache c WHERE c.content_hash = b.content_hash AND c.workspace = ?2)
                FROM environment_builds b WHERE b.content_hash = ?1
                """,
                [.text(contentHash), .text(workspace)]
            ) { row in
                (
                    Build(
                        contentHash: row.text(0), location: row.text(1), pythonExecutable: row.text(2),
                        builtAt: Date(millisecondsSince1970: row.int64(3))
                    ),
                    row.bool(4)
                )
            }
        }
    }

    /// Records a finished build in the global cache and in `workspace`'s
    /// (skipped when the workspace no longer exists).
    func record(_ build: Build, workspace: String) async throws {
        try await self.database.write { db in
            try db.run(
                """
                INSERT INTO environment_builds (content_hash, location, python_executable, built_at_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (content_hash) DO UPDATE SET location = excluded.location,
                    python_executable = excluded.python_executable, built_at_ms = excluded.built_at_ms
                """,
                [.text(build.contentHash), .text(build.location), .text(build.pythonExecutable), .integer(build.builtAt.millisecondsSince1970)]
            )
            try Self.addToWorkspace(build.contentHash, workspace: workspace, at: build.builtAt, db: db)
        }
    }

    /// Adds a global build to `workspace`'s cache.
    func addToWorkspace(_ contentHash: String, workspace: String, at time: Date) async throws {
        try await self.database.write { db in
            try Self.addToWorkspace(contentHash, workspace: workspace, at: time, db: db)
        }
    }

    /// Forgets a build whose folder is gone or damaged, in every cache.
    func forget(_ contentHash: String) async throws {
        try await self.database.write { db in
            try db.run("DELETE FROM environment_builds WHERE content_hash = ?", [.text(contentHash)])
        }
    }

    private static func addToWorkspace(_ contentHash: String, workspace: String, at time: Date, db: Connection) throws {
        try db.run(
            """
            INSERT OR IGNORE INTO workspace_environment_cache (workspace, content_hash, added_at_ms)
            SELECT name, ?, ? FROM workspaces WHERE name = ?
            """,
            [.text(contentHash), .integer(time.millisecondsSince1970), .text(workspace)]
        )
    }
}
