public import Foundation
public import ModelGateAPI
internal import ModelGateWire

/// Web services, keyed by workspace and name (case-insensitive), with the
/// models each one serves (so a model in use cannot be deleted).
public struct ServiceStore: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores a service, replacing one of the same name (a redeploy with
    /// overwrite, or an update), in one transaction with its model list.
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown workspace.
    public func save(_ service: ServiceRecord) async throws {
        try await self.database.write { db in
            try db.transaction {
                guard try db.queryFirst(
                    "SELECT 1 FROM workspaces WHERE name = ?", [.text(service.workspace)], { _ in true }
                ) != nil else {
                    throw StoreError.notFound(kind: "workspace", name: service.workspace)
                }
                _ = try db.run(
                    "DELETE FROM services WHERE workspace = ? AND name = ?", [.text(service.workspace), .text(service.name)]
                )
                _ = try db.run(
                    """
                    INSERT INTO services (workspace, name, compute_type, compute_target, models_json, inference_config,
                        deployment_config, primary_key, secondary_key, state, error, error_code, generation,
                        created_by, created_at_ms, updated_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(service.workspace), .text(service.name),
                        .text(service.deploymentConfig.computeType == .aks ? "aks" : "aci"), .text(service.computeTarget),
                        .text(JSONColumn.encode(service.models)), .blob(service.inferenceConfig.encoded()),
                        .blob(service.deploymentConfig.encoded()), .text(service.primaryKey), .text(service.secondaryKey),
                        .int(Int(service.state.rawValue)), .text(service.error), .int(Int(service.errorCode.rawValue)),
                        .int(service.generation), .text(service.createdBy),
                        .integer(service.createdAt.millisecondsSince1970), .integer(service.updatedAt.millisecondsSince1970),
                    ]
                )
                for id in service.models {
                    guard let colon = id.lastIndex(of: ":"), let version = Int(id[id.index(after: colon)...]) else { continue }
                    _ = try db.run(
                        "INSERT OR IGNORE INTO service_models (workspace, service, model_name, model_version) VALUES (?, ?, ?, ?)",
                        [.text(service.workspace), .text(service.name), .text(String(id[..<colon])), .int(version)]
                    )
                }
            }
        }
    }

    /// Records how a rollout ended, if `generation` is still the service's
    /// (a newer deploy or update has its own outcome to record).
    public func recordOutcome(
        workspace: String, name: String, generation: Int, state: WebServiceState, error: String, errorCode: StatusCode, at: Date
    ) async throws {
        try await self.database.write { db in
            _ = try db.run(
                """
                UPDATE services SET state = ?, error = ?, error_code = ?, updated_at_ms = ?
                WHERE workspace = ? AND name = ? AND generation = ?
                """,
                [
                    .int(Int(state.rawValue)), .text(error), .int(Int(errorCode.rawValue)), .integer(at.millisecondsSince1970),
                    .text(workspace), .text(name), .int(generation),
                ]
            )
        }
    }

    /// Replaces the keys.
    public func setKeys(workspace: String, name: String, primary: String, secondary: String) async throws {
        try await self.database.write { db in
            let changed = try db.run(
                "UPDATE services SET primary_key = ?, secondary_key = ? WHERE workspace = ? AND name = ?",
                [.text(primary), .text(secondary), .text(workspace), .text(name)]
            )
            guard changed == 1 else { throw StoreError.notFound(kind: "service", name: name) }
        }
    }

    /// The service named `name` (any case) in `workspace`, if any.
    public func service(workspace: String, name: String) async throws -> ServiceRecord? {
        try await self.database.read { db in
            try db.queryFirst(
                "SELECT \(Self.columns) FROM services WHERE workspace = ? AND name = ?", [.text(workspace), .text(name)], Self.record
            )
        }
    }

    /// Every service of every workspace (for the reconciler at start-up), by workspace and name.
    public func all() async throws -> [ServiceRecord] {
        try await self.database.read { db in
            try db.query("SELECT \(Self.columns) FROM services ORDER BY workspace, name", [], Self.record)
        }
    }

    /// Deletes a service.
    ///
    /// - Returns: false when there was none.
    @discardableResult
    public func delete(workspace: String, name: String) async throws -> Bool {
        try await self.database.write { db in
            try db.run("DELETE FROM services WHERE workspace = ? AND name = ?", [.text(workspace), .text(name)]) == 1
        }
    }

    /// Whether any service or endpoint version of `workspace` serves the model version.
    public func isModelInUse(workspace: String, name: String, version: Int) async throws -> Bool {
        try await self.database.read { db in
            try db.queryFirst(
                """
                SELECT 1 FROM service_models WHERE workspace = ?1 AND model_name = ?2 AND model_version = ?3
                UNION ALL SELECT 1 FROM endpoint_models WHERE workspace = ?1 AND model_name = ?2 AND model_version = ?3
                LIMIT 1
                """,
                [.text(workspace), .text(name), .int(version)], { _ in true }
            ) ?? false
        }
    }

    private static let columns = """
        workspace, name, models_json, inference_config, deployment_config, primary_key, secondary_key, state, error,
        error_code, generation, created_by, created_at_ms, updated_at_ms
        """

    private static func record(_ row: Row) -> ServiceRecord {
        ServiceRecord(
            workspace: row.text(0), name: row.text(1), models: JSONColumn.list(row.text(2)),
            // Written by this server from valid messages; a damaged row reads as empty rather than failing the list.
            inferenceConfig: (try? InferenceConfig(decoding: row.blob(3))) ?? InferenceConfig(),
            deploymentConfig: (try? DeploymentConfig(decoding: row.blob(4))) ?? DeploymentConfig(),
            primaryKey: row.text(5), secondaryKey: row.text(6),
            state: WebServiceState(rawValue: Int32(clamping: row.int(7))),
            error: row.text(8), errorCode: StatusCode(rawValue: Int32(clamping: row.int(9))),
            generation: row.int(10), createdBy: row.text(11),
            createdAt: Date(millisecondsSince1970: row.int64(12)), updatedAt: Date(millisecondsSince1970: row.int64(13))
        )
    }
}
