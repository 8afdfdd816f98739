internal import CModelGateSQLite

/// One open SQLite connection with a cache of prepared statements.
///
/// Not `Sendable`: a ``Database`` hands it to closures that run on its own
/// thread, one at a time, and it must not escape them. Every statement binds
/// its parameters; nothing a caller sends is ever spliced into SQL text.
public final class Connection {
    private var handle: OpaquePointer?
    /// Prepared statements by SQL text, reused across calls.
    private var statements: [String: OpaquePointer] = [:]
    /// How deep ``transaction(_:_:)`` calls are nested; inner ones use savepoints.
    private var transactionDepth = 0

    init(path: String, busyTimeout: Duration) throws {
        var handle: OpaquePointer?
        // NOMUTEX: SQLite's own per-connection mutex is redundant, because the
        // owning Database serialises every use on one thread.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open database"
            sqlite3_close_v2(handle)
            throw DatabaseError(resultCode: rc, message: "\(message): \(path)")
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        let milliseconds = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(handle, Int32(clamping: milliseconds))
        do {
            let mode = try self.queryFirst("PRAGMA journal_mode = WAL") { $0.text(0) }
            guard mode?.lowercased() == "wal" else {
                throw DatabaseError(resultCode: SQLITE_ERROR, message: "the database refused WAL mode (journal_mode is \(mode ?? "unknown"))")
            }
            try self.execute("PRAGMA synchronous = FULL")
            try self.execute("PRAGMA foreign_keys = ON")
        } catch {
            self.close()
            throw error
        }
    }

    deinit {
        self.close()
    }

    /// Finalises every statement and closes the handle; the connection is unusable afterwards.
    func close() {
        for statement in self.statements.values {
            sqlite3_finalize(statement)
        }
        self.statements = [:]
        if let handle = self.handle {
            sqlite3_close_v2(handle)
            self.handle = nil
        }
    }

    // MARK: Statements

    /// Runs one or more statements without parameters (schema changes, pragmas).
    public func execute(_ sql: String) throws {
        let handle = try self.openHandle()
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw DatabaseError(resultCode: rc & 0xFF, extendedResultCode: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// Runs one statement with bound parameters and returns how many rows it changed.
    @discardableResult
    public func run(_ sql: String, _ bindings: [SQLValue] = []) throws -> Int {
        try self.withStatement(sql, bindings) { statement in
            var rc = sqlite3_step(statement)
            while rc == SQLITE_ROW { rc = sqlite3_step(statement) }
            guard rc == SQLITE_DONE else { throw self.error(rc, sql: sql) }
            return Int(sqlite3_changes(self.handle))
        }
    }

    /// Runs a query and maps every row.
    ///
    /// The ``Row`` passed to `map` is valid only during that call.
    public func query<T>(_ sql: String, _ bindings: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        try self.withStatement(sql, bindings) { statement in
            var results: [T] = []
            while true {
                let rc = sqlite3_step(statement)
                if rc == SQLITE_DONE { return results }
                guard rc == SQLITE_ROW else { throw self.error(rc, sql: sql) }
                results.append(try map(Row(statement: statement)))
            }
        }
    }

    /// Runs a query and maps its first row, if there is one.
    public func queryFirst<T>(_ sql: String, _ bindings: [SQLValue] = [], _ map: (Row) throws -> T) throws -> T? {
        try self.withStatement(sql, bindings) { statement in
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return nil }
            guard rc == SQLITE_ROW else { throw self.error(rc, sql: sql) }
            return try map(Row(statement: statement))
        }
    }

    /// The schema version recorded by ``Migrations`` (`PRAGMA user_version`).
    public func userVersion() throws -> Int {
        try self.queryFirst("PRAGMA user_version") { $0.int(0) } ?? 0
    }

    /// The rowid of the last row this connection inserted.
    public var lastInsertRowID: Int64 {
        self.handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    // MARK: Transactions

    /// How a top-level transaction takes its locks.
    public enum TransactionKind: Sendable {
        /// Takes the read lock at the first read: for read-only snapshots.
        case deferred
        /// Takes the write lock at once, so two writers never deadlock on upgrading.
        case immediate
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    ///
    /// Nested calls become savepoints, so a store method that opens a
    /// transaction can be called from inside another one.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        let depth = self.transactionDepth
        let savepoint = "sp\(depth)"
        if depth == 0 {
            try self.execute(kind == .immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        } else {
            try self.execute("SAVEPOINT \(savepoint)")
        }
        self.transactionDepth += 1
        defer { self.transactionDepth -= 1 }
        do {
            let result = try body()
            try self.execute(depth == 0 ? "COMMIT" : "RELEASE \(savepoint)")
            return result
        } catch {
            // A failed COMMIT (for example SQLITE_FULL) leaves the transaction
            // open; roll it back so the connection is usable again.
            if depth == 0 {
                try? self.execute("ROLLBACK")
            } else {
                try? self.execute("ROLLBACK TO \(savepoint)")
                try? self.execute("RELEASE \(savepoint)")
            }
            throw error
        }
    }

    // MARK: Internals

    private func openHandle() throws -> OpaquePointer {
        guard let handle = self.handle else {
            throw DatabaseError(resultCode: SQLITE_MISUSE, message: "the database is closed")
        }
        return handle
    }

    private func error(_ rc: Int32, sql: String?) -> DatabaseError {
        let message = self.handle.map { String(cString: sqlite3_errmsg($0)) } ?? "the database is closed"
        let extended = self.handle.map { sqlite3_extended_errcode($0) } ?? rc
        return DatabaseError(resultCode: rc & 0xFF, extendedResultCode: extended, message: message, sql: sql)
    }

    /// Prepares (or reuses) `sql`, binds `bindings`, runs `body`, and resets the
    /// statement afterwards so it releases its locks and read snapshot.
    private func withStatement<T>(_ sql: String, _ bindings: [SQLValue], _ body: (OpaquePointer) throws -> T) throws -> T {
        let statement = try self.prepare(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard expected == bindings.count else {
            throw DatabaseError(resultCode: SQLITE_RANGE, message: "statement takes \(expected) parameters, got \(bindings.count)", sql: sql)
        }
        for (offset, value) in bindings.enumerated() {
            let rc = Self.bind(value, to: statement, at: Int32(offset + 1))
            guard rc == SQLITE_OK else { throw self.error(rc, sql: sql) }
        }
        return try body(statement)
    }

    private func prepare(_ sql: String) throws -> OpaquePointer {
        if let cached = self.statements[sql] { return cached }
        let handle = try self.openHandle()
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw self.error(rc, sql: sql) }
        self.statements[sql] = statement
        return statement
    }

    /// `SQLITE_TRANSIENT`: SQLite copies the bytes before the bind call returns,
    /// so Swift may free its buffer right after.
    private static var transient: sqlite3_destructor_type {
        unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }

    private static func bind(_ value: SQLValue, to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(statement, index)
        case .integer(let integer):
            return sqlite3_bind_int64(statement, index, integer)
        case .real(let real):
            return sqlite3_bind_double(statement, index, real)
        case .text(let text):
            // Bind by byte count so text with an embedded NUL is stored whole.
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, Self.transient) }
                return sqlite3_bind_text64(
                    statement, index, base.assumingMemoryBound(to: CChar.self),
                    sqlite3_uint64(buffer.count), Self.transient, UInt8(SQLITE_UTF8)
                )
            }
        case .blob(let blob):
            // A nil pointer would bind NULL, so an empty blob is a zero-length zeroblob.
            guard !blob.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
            return blob.withUnsafeBytes { buffer in
                sqlite3_bind_blob64(statement, index, buffer.baseAddress, sqlite3_uint64(buffer.count), Self.transient)
            }
        }
    }
}
