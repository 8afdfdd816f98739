public import ModelGateAPI

/// A failure reported by SQLite, with its result code and the statement involved.
///
/// It converts to a wire status for the few codes a caller can act on: a full
/// disk is `RESOURCE_EXHAUSTED` (the operator frees space and the caller
/// retries), a database locked past the busy timeout is `UNAVAILABLE` (retry).
/// Everything else is `INTERNAL` with a fixed message: SQL text and SQLite's
/// own wording stay in the server's logs and never reach a client.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// SQLite's primary result code (`SQLITE_FULL`, `SQLITE_CONSTRAINT`, ...).
    public var resultCode: Int32
    /// SQLite's extended result code (`SQLITE_CONSTRAINT_UNIQUE`, ...).
    public var extendedResultCode: Int32
    /// SQLite's message (`sqlite3_errmsg`) or ours.
    public var message: String
    /// The statement that failed, for logs.
    public var sql: String?

    public init(resultCode: Int32, extendedResultCode: Int32? = nil, message: String, sql: String? = nil) {
        self.resultCode = resultCode
        self.extendedResultCode = extendedResultCode ?? resultCode
        self.message = message
        self.sql = sql
    }

    // Result codes from sqlite3.h, repeated here so callers need not import the C module.
    static let sqliteBusy: Int32 = 5
    static let sqliteLocked: Int32 = 6
    static let sqliteNoMem: Int32 = 7
    static let sqliteFull: Int32 = 13
    static let sqliteConstraint: Int32 = 19
    static let sqliteMisuse: Int32 = 21

    /// True for any UNIQUE, PRIMARY KEY, FOREIGN KEY or CHECK violation.
    public var isConstraintViolation: Bool { self.resultCode == Self.sqliteConstraint }

    /// True when the disk (or the file size limit) is full.
    public var isDiskFull: Bool { self.resultCode == Self.sqliteFull }

    public var description: String {
        var text = "SQLite error \(self.extendedResultCode): \(self.message)"
        if let sql = self.sql { text += " (in: \(sql))" }
        return text
    }
}

extension DatabaseError: RPCErrorConvertible {
    public var rpcErrorCode: StatusCode {
        switch self.resultCode {
        case Self.sqliteFull, Self.sqliteNoMem: .resourceExhausted
        case Self.sqliteBusy, Self.sqliteLocked: .unavailable
        default: .internal
        }
    }

    public var rpcErrorMessage: String {
        switch self.resultCode {
        case Self.sqliteFull: "the server's disk is full: the change was not stored; free space and retry"
        case Self.sqliteNoMem: "the server is out of memory: the change was not stored; retry later"
        case Self.sqliteBusy, Self.sqliteLocked: "the server's database is busy; retry"
        default: "internal storage error"
        }
    }
}
