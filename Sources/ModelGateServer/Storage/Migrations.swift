public import Logging

/// Numbered schema migrations, recorded in `PRAGMA user_version`.
///
/// Each migration runs in its own `BEGIN IMMEDIATE` transaction together with
/// the `user_version` bump (the version lives in the database header, which
/// SQLite writes transactionally), so a crash mid-migration leaves the
/// database at the previous version and the next start simply runs it again.
/// Migrations are append-only: a released migration never changes; a schema
/// change is a new, higher-numbered migration.
public enum Migrations {
    /// One step of the schema's history.
    public struct Migration: Sendable {
        /// The `user_version` after this migration; versions count up from 1.
        public var version: Int
        /// A short description for logs.
        public var name: String
        /// Applies the change inside the migration's transaction.
        public var apply: @Sendable (Connection) throws -> Void

        public init(version: Int, name: String, apply: @escaping @Sendable (Connection) throws -> Void) {
            self.version = version
            self.name = name
            self.apply = apply
        }

        /// A migration that runs a fixed SQL script.
        public static func sql(_ version: Int, _ name: String, _ script: String) -> Migration {
            Migration(version: version, name: name) { try $0.execute(script) }
        }
    }

    /// The schema's history, oldest first.
    public static let all: [Migration] = [
        .sql(1, "principals, roles, access tokens, regions, workspaces", """
            CREATE TABLE principals (
                id TEXT PRIMARY KEY,
                client_id TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                kind TEXT NOT NULL,
                is_admin INTEGER NOT NULL DEFAULT 0,
                secret_hash BLOB NOT NULL,
                secret_salt BLOB NOT NULL,
                secret_iterations INTEGER NOT NULL,
                created_at_ms INTEGER NOT NULL
            );
            CREATE TABLE role_assignments (
                principal_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
                workspace TEXT NOT NULL COLLATE NOCASE,
                role TEXT NOT NULL,
                assigned_by TEXT NOT NULL DEFAULT '',
                assigned_at_ms INTEGER NOT NULL,
                PRIMARY KEY (principal_id, workspace)
            );
            CREATE INDEX role_assignments_by_workspace ON role_assignments(workspace);
            CREATE TABLE access_tokens (
                token_hash BLOB PRIMARY KEY,
                principal_id TEXT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
                issued_at_ms INTEGER NOT NULL,
                expires_at_ms INTEGER NOT NULL
            );
            CREATE INDEX access_tokens_by_expiry ON access_tokens(expires_at_ms);
            CREATE TABLE regions (
                name TEXT PRIMARY KEY,
                display_name TEXT NOT NULL,
                utc_offset_minutes INTEGER NOT NULL DEFAULT 0,
                available INTEGER NOT NULL DEFAULT 1,
                unavailable_reason TEXT NOT NULL DEFAULT '',
                availability_changed_at_ms INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE region_latencies (
                region_a TEXT NOT NULL REFERENCES regions(name) ON DELETE CASCADE,
                region_b TEXT NOT NULL REFERENCES regions(name) ON DELETE CASCADE,
                round_trip_ms INTEGER NOT NULL CHECK (round_trip_ms >= 0),
                PRIMARY KEY (region_a, region_b),
                CHECK (region_a < region_b)
            );
            CREATE TABLE workspaces (
                name TEXT PRIMARY KEY COLLATE NOCASE,
                id TEXT NOT NULL UNIQUE,
                region TEXT NOT NULL REFERENCES regions(name),
                description TEXT NOT NULL DEFAULT '',
                tags_json TEXT NOT NULL DEFAULT '{}',
                created_by TEXT NOT NULL DEFAULT '',
                created_at_ms INTEGER NOT NULL
            );
            """),
        Migration(version: 2, name: "seed regions and their round-trip latencies") { connection in
            try RegionCatalog.seed(into: connection)
        },
        // Models, environments, the environment build cache and compute targets.
        // Everything belongs to a workspace and goes with it. Version counters
        // live in their own tables so a deleted version's number is never
        // handed out again: a deployment that names `iris:3` must never get
        // different files. model_files_by_blob answers "is this blob still
        // used?" when a version is deleted.
        .sql(3, "models, environments, environment cache, compute targets", """
            CREATE TABLE model_names (
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                name TEXT NOT NULL,
                last_version INTEGER NOT NULL,
                PRIMARY KEY (workspace, name)
            );
            CREATE TABLE models (
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                name TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                description TEXT NOT NULL DEFAULT '',
                tags_json TEXT NOT NULL DEFAULT '{}',
                properties_json TEXT NOT NULL DEFAULT '{}',
                model_framework TEXT NOT NULL DEFAULT '',
                model_framework_version TEXT NOT NULL DEFAULT '',
                size_bytes INTEGER NOT NULL,
                created_by TEXT NOT NULL DEFAULT '',
                created_at_ms INTEGER NOT NULL,
                PRIMARY KEY (workspace, name, version)
            );
            CREATE TABLE model_files (
                workspace TEXT NOT NULL COLLATE NOCASE,
                name TEXT NOT NULL,
                version INTEGER NOT NULL,
                path TEXT NOT NULL,
                size_bytes INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                PRIMARY KEY (workspace, name, version, path),
                FOREIGN KEY (workspace, name, version) REFERENCES models(workspace, name, version) ON DELETE CASCADE
            );
            CREATE INDEX model_files_by_blob ON model_files(sha256);
            CREATE TABLE environment_names (
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                name TEXT NOT NULL,
                last_version INTEGER NOT NULL,
                PRIMARY KEY (workspace, name)
            );
            CREATE TABLE environments (
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                name TEXT NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 1),
                python_version TEXT NOT NULL DEFAULT '',
                pip_requirements_json TEXT NOT NULL DEFAULT '[]',
                conda_yaml TEXT NOT NULL DEFAULT '',
                base_image TEXT NOT NULL DEFAULT '',
                build_steps_json TEXT NOT NULL DEFAULT '[]',
                environment_variables_json TEXT NOT NULL DEFAULT '{}',
                content_hash TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                tags_json TEXT NOT NULL DEFAULT '{}',
                created_by TEXT NOT NULL DEFAULT '',
                created_at_ms INTEGER NOT NULL,
                PRIMARY KEY (workspace, name, version)
            );
            CREATE TABLE environment_builds (
                content_hash TEXT PRIMARY KEY,
                location TEXT NOT NULL,
                python_executable TEXT NOT NULL,
                built_at_ms INTEGER NOT NULL
            );
            CREATE TABLE workspace_environment_cache (
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                content_hash TEXT NOT NULL REFERENCES environment_builds(content_hash) ON DELETE CASCADE,
                added_at_ms INTEGER NOT NULL,
                PRIMARY KEY (workspace, content_hash)
            );
            CREATE TABLE computes (
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                name TEXT NOT NULL COLLATE NOCASE,
                type TEXT NOT NULL,
                region TEXT NOT NULL REFERENCES regions(name),
                purpose TEXT NOT NULL,
                cpu_cores REAL NOT NULL CHECK (cpu_cores > 0),
                memory_gb REAL NOT NULL CHECK (memory_gb > 0),
                gpus INTEGER NOT NULL CHECK (gpus >= 0),
                description TEXT NOT NULL DEFAULT '',
                tags_json TEXT NOT NULL DEFAULT '{}',
                created_by TEXT NOT NULL DEFAULT '',
                created_at_ms INTEGER NOT NULL,
                PRIMARY KEY (workspace, name)
            );
            """),
        .sql(4, "web services and the models they serve", """
            CREATE TABLE services (
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                name TEXT NOT NULL COLLATE NOCASE,
                compute_type TEXT NOT NULL,
                compute_target TEXT NOT NULL DEFAULT '',
                models_json TEXT NOT NULL DEFAULT '[]',
                inference_config BLOB NOT NULL,
                deployment_config BLOB NOT NULL,
                primary_key TEXT NOT NULL,
                secondary_key TEXT NOT NULL,
                state INTEGER NOT NULL,
                error TEXT NOT NULL DEFAULT '',
                error_code INTEGER NOT NULL DEFAULT 0,
                generation INTEGER NOT NULL CHECK (generation >= 1),
                created_by TEXT NOT NULL DEFAULT '',
                created_at_ms INTEGER NOT NULL,
                updated_at_ms INTEGER NOT NULL,
                PRIMARY KEY (workspace, name)
            );
            CREATE TABLE service_models (
                workspace TEXT NOT NULL COLLATE NOCASE,
                service TEXT NOT NULL COLLATE NOCASE,
                model_name TEXT NOT NULL,
                model_version INTEGER NOT NULL,
                PRIMARY KEY (workspace, service, model_name, model_version),
                FOREIGN KEY (workspace, service) REFERENCES services(workspace, name) ON DELETE CASCADE
            );
            CREATE INDEX service_models_by_model ON service_models(workspace, model_name, model_version);
            CREATE INDEX services_by_compute ON services(workspace, compute_target);
            """),
        .sql(5, "token signing keys", """
            CREATE TABLE signing_keys (
                kid TEXT PRIMARY KEY,
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                private_key BLOB NOT NULL,
                created_at_ms INTEGER NOT NULL,
                retired_at_ms INTEGER,
                verify_until_ms INTEGER
            );
            CREATE INDEX signing_keys_by_workspace ON signing_keys(workspace);
            CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys(workspace) WHERE retired_at_ms IS NULL;
            """),
        // An endpoint and its versions are written together in one
        // transaction (EndpointStore.save), so a version exists whole or not
        // at all, even if the server is killed during a change.
        .sql(6, "endpoints and their versions", """
            CREATE TABLE endpoints (
                workspace TEXT NOT NULL COLLATE NOCASE REFERENCES workspaces(name) ON DELETE CASCADE,
                name TEXT NOT NULL COLLATE NOCASE,
                compute_target TEXT NOT NULL,
                deployment_config BLOB NOT NULL,
                primary_key TEXT NOT NULL,
                secondary_key TEXT NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                tags_json TEXT NOT NULL DEFAULT '{}',
                properties_json TEXT NOT NULL DEFAULT '{}',
                generation INTEGER NOT NULL CHECK (generation >= 1),
                created_by TEXT NOT NULL DEFAULT '',
                created_at_ms INTEGER NOT NULL,
                updated_at_ms INTEGER NOT NULL,
                PRIMARY KEY (workspace, name)
            );
            CREATE TABLE endpoint_versions (
                workspace TEXT NOT NULL COLLATE NOCASE,
                endpoint TEXT NOT NULL COLLATE NOCASE,
                name TEXT NOT NULL COLLATE NOCASE,
                position INTEGER NOT NULL,
                traffic_percentile REAL NOT NULL CHECK (traffic_percentile >= 0 AND traffic_percentile <= 100),
                is_default INTEGER NOT NULL,
                version_type INTEGER NOT NULL,
                models_json TEXT NOT NULL DEFAULT '[]',
                inference_config BLOB NOT NULL,
                deployment_config BLOB NOT NULL,
                description TEXT NOT NULL DEFAULT '',
                tags_json TEXT NOT NULL DEFAULT '{}',
                properties_json TEXT NOT NULL DEFAULT '{}',
                generation INTEGER NOT NULL,
                state INTEGER NOT NULL,
                error TEXT NOT NULL DEFAULT '',
                error_code INTEGER NOT NULL DEFAULT 0,
                created_at_ms INTEGER NOT NULL,
                updated_at_ms INTEGER NOT NULL,
                PRIMARY KEY (workspace, endpoint, name),
                FOREIGN KEY (workspace, endpoint) REFERENCES endpoints(workspace, name) ON DELETE CASCADE
            );
            CREATE UNIQUE INDEX endpoint_versions_one_default ON endpoint_versions(workspace, endpoint) WHERE is_default = 1;
            CREATE TABLE endpoint_models (
                workspace TEXT NOT NULL COLLATE NOCASE,
                endpoint TEXT NOT NULL COLLATE NOCASE,
                model_name TEXT NOT NULL,
                model_version INTEGER NOT NULL,
                PRIMARY KEY (workspace, endpoint, model_name, model_version),
                FOREIGN KEY (workspace, endpoint) REFERENCES endpoints(workspace, name) ON DELETE CASCADE
            );
            CREATE INDEX endpoint_models_by_model ON endpoint_models(workspace, model_name, model_version);
            """),
    ]

    /// Brings the database up to the newest migration in `migrations`.
    ///
    /// Running it again is a no-op. A database written by a newer server (a
    /// `user_version` above the newest migration known here) is refused rather
    /// than used with a schema this build does not understand.
    ///
    /// - Returns: The versions before and after.
    /// - Throws: ``DatabaseError`` from a failing migration (its transaction is
    ///   rolled back), or when the database is newer than this server.
    @discardableResult
    public static func migrate(
        _ database: Database, migrations: [Migration] = Migrations.all, logger: Logger
    ) async throws -> (from: Int, to: Int) {
        let newest = migrations.map(\.version).max() ?? 0
        let current = try await database.read { try $0.userVersion() }
        guard current <= newest else {
            throw DatabaseError(
                resultCode: 1,
                message: "database schema version \(current) is newer than this server supports (\(newest)); upgrade the server"
            )
        }
        for migration in migrations.sorted(by: { $0.version < $1.version }) where migration.version > current {
            let applied = try await database.write { connection -> Bool in
                // Re-read inside the write lock: another process may have migrated meanwhile.
                guard try connection.userVersion() < migration.version else { return false }
                try migration.apply(connection)
                try connection.execute("PRAGMA user_version = \(migration.version)")
                return true
            }
            if applied {
                logger.info("Applied database migration", metadata: [
                    "db.migration.version": "\(migration.version)",
                    "db.migration.name": "\(migration.name)",
                ])
            }
        }
        return (current, max(current, newest))
    }
}
