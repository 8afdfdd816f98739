public import Foundation
public import ModelGateAPI
internal import ModelGateWire

/// Endpoints with their versions, keyed by workspace and name (case-insensitive).
///
/// Every change is one ``save(_:)`` of the whole endpoint in one SQLite
/// transaction (the endpoint row, every version row, the models they serve),
/// so after a crash an endpoint is as it was before the change or after it,
/// never with half a version.
public struct EndpointStore: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores an endpoint and its versions, replacing what was stored under its name.
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown workspace.
    public func save(_ endpoint: EndpointRecord) async throws {
        try await self.database.write { db in
            try db.transaction {
                guard try db.queryFirst(
                    "SELECT 1 FROM workspaces WHERE name = ?", [.text(endpoint.workspace)], { _ in true }
                ) != nil else {
                    throw StoreError.notFound(kind: "workspace", name: endpoint.workspace)
                }
                let key: [SQLValue] = [.text(endpoint.workspace), .text(endpoint.name)]
                _ = try db.run("DELETE FROM endpoint_models WHERE workspace = ? AND endpoint = ?", key)
                _ = try db.run("DELETE FROM endpoint_versions WHERE workspace = ? AND endpoint = ?", key)
                _ = try db.run("DELETE FROM endpoints WHERE workspace = ? AND name = ?", key)
                _ = try db.run(
                    """
                    INSERT INTO endpoints (workspace, name, compute_target, deployment_config, primary_key, secondary_key,
                        description, tags_json, properties_json, generation, created_by, created_at_ms, updated_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    key + [
                        .text(endpoint.computeTarget), .blob(endpoint.deploymentConfig.encoded()),
                        .text(endpoint.primaryKey), .text(endpoint.secondaryKey), .text(endpoint.description),
                        .text(JSONColumn.encode(endpoint.tags)), .text(JSONColumn.encode(endpoint.properties)),
                        .int(endpoint.generation), .text(endpoint.createdBy),
                        .integer(endpoint.createdAt.millisecondsSince1970), .integer(endpoint.updatedAt.millisecondsSince1970),
                    ]
                )
                for (position, version) in endpoint.versions.enumerated() {
                    _ = try db.run(
                        """
                        INSERT INTO endpoint_versions (workspace, endpoint, name, position, traffic_percentile, is_default,
                            version_type, models_json, inference_config, deployment_config, description, tags_json,
                            properties_json, generation, state, error, error_code, created_at_ms, updated_at_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                        key + [
                            .text(version.name), .int(position), .real(version.trafficPercentile), .int(version.isDefault ? 1 : 0),
                            .int(Int(version.versionType.rawValue)), .text(JSONColumn.encode(version.models)),
                            .blob(version.inferenceConfig.encoded()), .blob(version.deploymentConfig.encoded()),
                            .text(version.description), .text(JSONColumn.encode(version.tags)),
                            .text(JSONColumn.encode(version.properties)), .int(version.generation),
                            .int(Int(version.state.rawValue)), .text(version.error), .int(Int(version.errorCode.rawValue)),
                            .integer(version.createdAt.millisecondsSince1970), .integer(version.updatedAt.millisecondsSince1970),
                        ]
                    )
                    for id in version.models {
                        guard let colon = id.lastIndex(of: ":"), let number = Int(id[id.index(after: colon)...]) else { continue }
                        _ = try db.run(
                            "INSERT OR IGNORE INTO endpoint_models (workspace, endpoint, model_name, model_version) VALUES (?, ?, ?, ?)",
                            key + [.text(String(id[..<colon])), .int(number)]
                        )
                    }
                }
            }
        }
    }

    /// Records how a version's rollout ended, if `generation` is still the version's.
    public func recordOutcome(
        workspace: String, endpoint: String, version: String, generation: Int, state: WebServiceState, error: String,
        errorCode: StatusCode
    ) async throws {
        try await self.database.write { db in
            _ = try db.run(
                """
                UPDATE endpoint_versions SET state = ?, error = ?, error_code = ?
                WHERE workspace = ? AND endpoint = ? AND name = ? AND generation = ?
                """,
                [
                    .int(Int(state.rawValue)), .text(error), .int(Int(errorCode.rawValue)),
                    .text(workspace), .text(endpoint), .text(version), .int(generation),
                ]
            )
        }
    }

    /// Replaces the keys.
    public func setKeys(workspace: String, name: String, primary: String, secondary: String) async throws {
        try await self.database.write { db in
            let changed = try db.run(
                "UPDATE endpoints SET primary_key = ?, secondary_key = ? WHERE workspace = ? AND name = ?",
                [.text(primary), .text(secondary), .text(workspace), .text(name)]
            )
            guard changed == 1 else { throw StoreError.notFound(kind: "endpoint", name: name) }
        }
    }

    /// Every endpoint of every workspace with its versions (for restoring at start-up), by workspace and name.
    public func all() async throws -> [EndpointRecord] {
        try await self.database.read { db in
            var endpoints = try db.query(
                """
                SELECT workspace, name, deployment_config, primary_key, secondary_key, description, tags_json, properties_json,
                    generation, created_by, created_at_ms, updated_at_ms
                FROM endpoints ORDER BY workspace, name
                """, [], Self.endpoint
            )
            for index in endpoints.indices {
                endpoints[index].versions = try db.query(
                    """
                    SELECT name, traffic_percentile, is_default, version_type, models_json, inference_config, deployment_config,
                        description, tags_json, properties_json, generation, state, error, error_code, created_at_ms, updated_at_ms
                    FROM endpoint_versions WHERE workspace = ? AND endpoint = ? ORDER BY position
                    """,
                    [.text(endpoints[index].workspace), .text(endpoints[index].name)], Self.version
                )
            }
            return endpoints
        }
    }

    /// Deletes an endpoint with its versions.
    ///
    /// - Returns: false when there was none.
    @discardableResult
    public func delete(workspace: String, name: String) async throws -> Bool {
        try await self.database.write { db in
            try db.transaction {
                let key: [SQLValue] = [.text(workspace), .text(name)]
                _ = try db.run("DELETE FROM endpoint_models WHERE workspace = ? AND endpoint = ?", key)
                _ = try db.run("DELETE FROM endpoint_versions WHERE workspace = ? AND endpoint = ?", key)
                return try db.run("DELETE FROM endpoints WHERE workspace = ? AND name = ?", key) == 1
            }
        }
    }

    private static func endpoint(_ row: Row) -> EndpointRecord {
        EndpointRecord(
            workspace: row.text(0), name: row.text(1),
            // Written by this server from valid messages; a damaged row reads as empty rather than failing the list.
            deploymentConfig: (try? DeploymentConfig(decoding: row.blob(2))) ?? DeploymentConfig(),
            primaryKey: row.text(3), secondaryKey: row.text(4), description: row.text(5),
            tags: JSONColumn.map(row.text(6)), properties: JSONColumn.map(row.text(7)), generation: row.int(8),
            createdBy: row.text(9), createdAt: Date(millisecondsSince1970: row.int64(10)),
            updatedAt: Date(millisecondsSince1970: row.int64(11))
        )
    }

    private static func version(_ row: Row) -> EndpointVersionRecord {
        EndpointVersionRecord(
            name: row.text(0), trafficPercentile: row.double(1), isDefault: row.bool(2),
            versionType: EndpointVersionType(rawValue: Int32(clamping: row.int(3))), models: JSONColumn.list(row.text(4)),
            inferenceConfig: (try? InferenceConfig(decoding: row.blob(5))) ?? InferenceConfig(),
            deploymentConfig: (try? DeploymentConfig(decoding: row.blob(6))) ?? DeploymentConfig(),
            description: row.text(7), tags: JSONColumn.map(row.text(8)), properties: JSONColumn.map(row.text(9)),
            generation: row.int(10), state: WebServiceState(rawValue: Int32(clamping: row.int(11))), error: row.text(12),
            errorCode: StatusCode(rawValue: Int32(clamping: row.int(13))),
            createdAt: Date(millisecondsSince1970: row.int64(14)), updatedAt: Date(millisecondsSince1970: row.int64(15))
        )
    }
}
