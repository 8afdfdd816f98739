public import Foundation

/// Principals, their hashed secrets, and their role assignments.
public struct PrincipalStore: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores a new principal.
    ///
    /// - Throws: ``StoreError/alreadyExists(kind:name:)`` when the client id is taken.
    public func create(_ principal: PrincipalRecord, secret: HashedSecret) async throws {
        do {
            try await self.database.write { db in
                try db.run(
                    """
                    INSERT INTO principals
                        (id, client_id, display_name, kind, is_admin, secret_hash, secret_salt, secret_iterations, created_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .text(principal.id), .text(principal.clientID), .text(principal.displayName),
                        .text(principal.kind.rawValue), .bool(principal.isAdmin),
                        .blob(secret.hash), .blob(secret.salt), .int(secret.iterations),
                        .integer(principal.createdAt.millisecondsSince1970),
                    ]
                )
            }
        } catch let error as DatabaseError where error.isConstraintViolation {
            throw StoreError.alreadyExists(kind: "principal", name: principal.clientID)
        }
    }

    /// How many principals exist; zero means the server has not been bootstrapped.
    public func count() async throws -> Int {
        try await self.database.read { db in
            try db.queryFirst("SELECT count(*) FROM principals") { $0.int(0) } ?? 0
        }
    }

    /// The principal with `clientID` and its stored secret, for sign-in.
    public func credentials(clientID: String) async throws -> (PrincipalRecord, HashedSecret)? {
        try await self.database.read { db in
            try db.queryFirst(
                "SELECT \(Self.columns), secret_hash, secret_salt, secret_iterations FROM principals WHERE client_id = ?",
                [.text(clientID)]
            ) { row in
                (Self.principal(row), HashedSecret(hash: row.blob(6), salt: row.blob(7), iterations: row.int(8)))
            }
        }
    }

    /// The principal with internal id `id`, if it exists.
    public func principal(id: String) async throws -> PrincipalRecord? {
        try await self.database.read { db in
            try db.queryFirst("SELECT \(Self.columns) FROM principals WHERE id = ?", [.text(id)], Self.principal)
        }
    }

    /// The principal with `clientID`, if it exists.
    public func principal(clientID: String) async throws -> PrincipalRecord? {
        try await self.database.read { db in
            try db.queryFirst("SELECT \(Self.columns) FROM principals WHERE client_id = ?", [.text(clientID)], Self.principal)
        }
    }

    /// Every principal, by client id.
    public func list() async throws -> [PrincipalRecord] {
        try await self.database.read { db in
            try db.query("SELECT \(Self.columns) FROM principals ORDER BY client_id", [], Self.principal)
        }
    }

    /// Deletes a principal; its role assignments and access tokens go with it (cascade).
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` when there is none.
    public func delete(clientID: String) async throws {
        try await self.database.write { db in
            guard try db.run("DELETE FROM principals WHERE client_id = ?", [.text(clientID)]) == 1 else {
                throw StoreError.notFound(kind: "principal", name: clientID)
            }
        }
    }

    /// Gives `principalID` `role` on `workspace`, replacing any role it had there.
    ///
    /// - Returns: The stored assignment.
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown principal.
    @discardableResult
    public func assign(
        _ role: WorkspaceRole, on workspace: String, to principalID: String, by assignedBy: String, at time: Date
    ) async throws -> RoleAssignmentRecord {
        try await self.database.write { db in
            guard let clientID = try db.queryFirst("SELECT client_id FROM principals WHERE id = ?", [.text(principalID)], { $0.text(0) }) else {
                throw StoreError.notFound(kind: "principal", name: principalID)
            }
            try db.run(
                """
                INSERT INTO role_assignments (principal_id, workspace, role, assigned_by, assigned_at_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (principal_id, workspace) DO UPDATE SET
                    role = excluded.role, assigned_by = excluded.assigned_by, assigned_at_ms = excluded.assigned_at_ms
                """,
                [.text(principalID), .text(workspace), .text(role.rawValue), .text(assignedBy), .integer(time.millisecondsSince1970)]
            )
            return RoleAssignmentRecord(
                principalID: principalID, clientID: clientID, workspace: workspace, role: role,
                assignedBy: assignedBy, assignedAt: Date(millisecondsSince1970: time.millisecondsSince1970)
            )
        }
    }

    /// Takes `principalID`'s role on `workspace` away; with a `role`, only if it is that role.
    ///
    /// - Returns: `false` when there was no such assignment.
    @discardableResult
    public func removeRole(_ role: WorkspaceRole? = nil, on workspace: String, from principalID: String) async throws -> Bool {
        try await self.database.write { db in
            try db.run(
                "DELETE FROM role_assignments WHERE principal_id = ? AND workspace = ? AND (?3 IS NULL OR role = ?3)",
                [.text(principalID), .text(workspace), .optionalText(role?.rawValue)]
            ) == 1
        }
    }

    /// Role assignments, optionally only one principal's and/or on one workspace,
    /// ordered by workspace, then client id.
    public func roleAssignments(principalID: String? = nil, workspace: String? = nil) async throws -> [RoleAssignmentRecord] {
        try await self.database.read { db in
            try db.query(
                """
                SELECT r.principal_id, p.client_id, r.workspace, r.role, r.assigned_by, r.assigned_at_ms
                FROM role_assignments r JOIN principals p ON p.id = r.principal_id
                WHERE (?1 IS NULL OR r.principal_id = ?1) AND (?2 IS NULL OR r.workspace = ?2)
                ORDER BY r.workspace COLLATE NOCASE, p.client_id
                """,
                [.optionalText(principalID), .optionalText(workspace)]
            ) { row -> RoleAssignmentRecord? in
                // A role name this build does not know (written by a newer server) grants nothing.
                guard let role = WorkspaceRole(rawValue: row.text(3)) else { return nil }
                return RoleAssignmentRecord(
                    principalID: row.text(0), clientID: row.text(1), workspace: row.text(2), role: role,
                    assignedBy: row.text(4), assignedAt: Date(millisecondsSince1970: row.int64(5))
                )
            }.compactMap { $0 }
        }
    }

    private static let columns = "id, client_id, display_name, kind, is_admin, created_at_ms"

    private static func principal(_ row: Row) -> PrincipalRecord {
        PrincipalRecord(
            id: row.text(0), clientID: row.text(1), displayName: row.text(2),
            kind: PrincipalRecord.Kind(rawValue: row.text(3)) ?? .user,
            isAdmin: row.bool(4), createdAt: Date(millisecondsSince1970: row.int64(5))
        )
    }
}
