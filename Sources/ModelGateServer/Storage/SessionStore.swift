public import Foundation

/// Control-plane access tokens, stored only as SHA-256 hashes.
///
/// A stolen database file therefore yields no usable token, while tokens
/// survive restarts. The raw token never reaches this store.
public struct SessionStore: Sendable {
    /// What the store knows about one token.
    public struct Session: Sendable, Hashable {
        public var principalID: String
        public var issuedAt: Date
        public var expiresAt: Date
    }

    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Records a new token hash, and drops tokens that expired before `purgeBefore`
    /// in the same transaction so the table does not grow without bound.
    public func insert(tokenHash: [UInt8], session: Session, purgeBefore: Date) async throws {
        try await self.database.write { db in
            try db.run("DELETE FROM access_tokens WHERE expires_at_ms < ?", [.integer(purgeBefore.millisecondsSince1970)])
            try db.run(
                "INSERT INTO access_tokens (token_hash, principal_id, issued_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)",
                [
                    .blob(tokenHash), .text(session.principalID),
                    .integer(session.issuedAt.millisecondsSince1970), .integer(session.expiresAt.millisecondsSince1970),
                ]
            )
        }
    }

    /// The session for a token hash, expired or not; `nil` when unknown.
    public func session(tokenHash: [UInt8]) async throws -> Session? {
        try await self.database.read { db in
            try db.queryFirst(
                "SELECT principal_id, issued_at_ms, expires_at_ms FROM access_tokens WHERE token_hash = ?",
                [.blob(tokenHash)]
            ) { row in
                Session(
                    principalID: row.text(0),
                    issuedAt: Date(millisecondsSince1970: row.int64(1)),
                    expiresAt: Date(millisecondsSince1970: row.int64(2))
                )
            }
        }
    }

    /// Forgets one token (sign-out); returns whether it existed.
    @discardableResult
    public func revoke(tokenHash: [UInt8]) async throws -> Bool {
        try await self.database.write { db in
            try db.run("DELETE FROM access_tokens WHERE token_hash = ?", [.blob(tokenHash)]) == 1
        }
    }
}
