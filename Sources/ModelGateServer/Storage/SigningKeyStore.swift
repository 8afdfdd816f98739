internal import Foundation

/// Workspaces' token signing keys (table `signing_keys`, migration 5).
///
/// A workspace has at most one current key (`retired_at_ms` NULL) and any
/// number of retired ones that still verify; deleting a workspace deletes its keys.
struct SigningKeyStore: Sendable {
    private let database: Database

    init(database: Database) {
        self.database = database
    }

    /// Every stored key, oldest first.
    func all() async throws -> [SigningKeyRecord] {
        try await self.database.read { db in
            try db.query("SELECT \(Self.columns) FROM signing_keys ORDER BY created_at_ms, kid", [], Self.record)
        }
    }

    /// Stores `key` as `workspace`'s current key, retiring the previous one
    /// (if any) at `key.createdAt` until `previousVerifyUntil`, in one transaction.
    ///
    /// - Returns: The workspace's name as stored.
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown workspace.
    func rotate(to key: SigningKeyRecord, previousVerifyUntil: Date) async throws -> String {
        try await self.database.write { db in
            try db.transaction {
                guard let workspace = try db.queryFirst(
                    "SELECT name FROM workspaces WHERE name = ?", [.text(key.workspace)], { $0.text(0) }
                ) else {
                    throw StoreError.notFound(kind: "workspace", name: key.workspace)
                }
                try db.run(
                    "UPDATE signing_keys SET retired_at_ms = ?, verify_until_ms = ? WHERE workspace = ? AND retired_at_ms IS NULL",
                    [
                        .integer(key.createdAt.millisecondsSince1970), .integer(previousVerifyUntil.millisecondsSince1970),
                        .text(workspace),
                    ]
                )
                try db.run(
                    """
                    INSERT INTO signing_keys (kid, workspace, private_key, created_at_ms, retired_at_ms, verify_until_ms)
                    VALUES (?, ?, ?, ?, NULL, NULL)
                    """,
                    [.text(key.kid), .text(workspace), .blob(key.privateKeyDER), .integer(key.createdAt.millisecondsSince1970)]
                )
                return workspace
            }
        }
    }

    /// Deletes retired keys that stopped verifying before `time`.
    ///
    /// - Returns: The ids of the deleted keys.
    @discardableResult
    func deleteExpired(before time: Date) async throws -> [String] {
        try await self.database.write { db in
            try db.transaction {
                let kids = try db.query(
                    "SELECT kid FROM signing_keys WHERE verify_until_ms IS NOT NULL AND verify_until_ms < ?",
                    [.integer(time.millisecondsSince1970)]
                ) { $0.text(0) }
                for kid in kids { _ = try db.run("DELETE FROM signing_keys WHERE kid = ?", [.text(kid)]) }
                return kids
            }
        }
    }

    private static let columns = "kid, workspace, private_key, created_at_ms, retired_at_ms, verify_until_ms"

    private static func record(_ row: Row) -> SigningKeyRecord {
        SigningKeyRecord(
            workspace: row.text(1), kid: row.text(0), privateKeyDER: row.blob(2),
            createdAt: Date(millisecondsSince1970: row.int64(3)),
            retiredAt: row.isNull(4) ? nil : Date(millisecondsSince1970: row.int64(4)),
            verifyUntil: row.isNull(5) ? nil : Date(millisecondsSince1970: row.int64(5))
        )
    }
}
