internal import CModelGateSQLite
internal import NIOPosix
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The control plane's SQLite database: one connection, used from one thread.
///
/// SQLite calls block, so they never run on an event loop or the cooperative
/// pool. Each `Database` owns a one-thread `NIOThreadPool`, and ``read(_:)`` /
/// ``write(_:)`` hop onto it with `runIfActive`. One thread and one connection
/// serialise every access, which is what SQLite wants for writes anyway (it
/// allows one writer at a time) and costs nothing at control-plane rates. The
/// connection sits in a `Mutex` so that `Database` is honestly `Sendable`; the
/// lock is never contended because only the pool's thread takes it.
///
/// Durability: the journal is WAL with `synchronous=FULL`. WAL alone (with
/// `NORMAL`) already survives a killed process (`kill -9`), because committed
/// frames are in the OS page cache; `FULL` also fsyncs the WAL on every commit,
/// so a transaction acknowledged to a client survives a power loss or kernel
/// crash. Control-plane writes are rare, so the extra fsync is cheap, and the
/// design promises that nothing acknowledged is lost.
///
/// ```swift
/// let database = try await Database(path: dataDirectory + "/modelgate.sqlite")
/// try await database.write { db in
///     try db.run("INSERT INTO regions (name, display_name) VALUES (?, ?)", ["westeurope", "West Europe"])
/// }
/// ```
public final class Database: Sendable {
    /// The file this database lives in.
    public let path: String
    /// `nil` once ``close()`` has run.
    private let connection: Mutex<Connection?>
    private let threadPool: NIOThreadPool

    /// Opens (creating if needed) the database file and sets it up for WAL.
    ///
    /// - Parameters:
    ///   - path: The SQLite file; its directory must exist. A new file is
    ///     created with mode 0600, and so are its WAL and shared-memory files.
    ///   - busyTimeout: How long a statement waits for another connection's
    ///     lock (for example `sqlite3` run by an operator) before `SQLITE_BUSY`.
    /// - Throws: ``DatabaseError`` when the file cannot be opened or WAL is refused.
    public init(path: String, busyTimeout: Duration = .seconds(5)) async throws {
        self.path = path
        self.threadPool = NIOThreadPool(numberOfThreads: 1)
        self.threadPool.start()
        self.connection = Mutex(nil)
        do {
            try await self.threadPool.runIfActive {
                // Create the file as 0600 first: SQLite would use 0644, and gives
                // its -wal and -shm files the main file's mode.
                createFileIfMissing(path, mode: 0o600)
                try self.connection.withLock { connection in
                    connection = try Connection(path: path, busyTimeout: busyTimeout)
                }
            }
        } catch {
            try? await self.threadPool.shutdownGracefully()
            throw error
        }
    }

    /// Runs `body` on the database thread without a transaction of its own.
    ///
    /// Use it for single statements and reads; several reads that must see one
    /// snapshot belong in ``write(_:)`` or an explicit ``Connection/transaction(_:_:)``.
    @discardableResult
    public func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await self.threadPool.runIfActive {
            try self.connection.withLock { connection in
                guard let connection else {
                    throw DatabaseError(resultCode: DatabaseError.sqliteMisuse, message: "the database is closed")
                }
                return try body(connection)
            }
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction on the database thread.
    ///
    /// The transaction commits when `body` returns and rolls back when it throws,
    /// so a store's multi-statement change is all or nothing, even if the
    /// process dies halfway.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await self.read { connection in
            try connection.transaction(.immediate) { try body(connection) }
        }
    }

    /// Closes the connection (checkpointing the WAL) and stops the thread.
    /// Later calls throw; calling it twice is harmless.
    public func close() async {
        _ = try? await self.threadPool.runIfActive {
            self.connection.withLock { connection in
                connection?.close()
                connection = nil
            }
        }
        try? await self.threadPool.shutdownGracefully()
    }
}

/// Creates an empty file with `mode` unless one exists; failures are left for
/// SQLite's own open to report.
private func createFileIfMissing(_ path: String, mode: mode_t) {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode)
    if fd >= 0 { close(fd) }
}
