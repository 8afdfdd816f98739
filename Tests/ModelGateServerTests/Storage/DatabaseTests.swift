import Foundation
import ModelGateAPI
import ModelGateServer
import Testing

@Suite("Database and migrations")
struct DatabaseTests {
    @Test("A fresh database migrates to the newest version, in WAL mode, with regions seeded")
    func freshDatabaseMigratesToNewestVersion() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Database(path: directory.path + "/modelgate.sqlite")

        // When
        let (from, to) = try await Migrations.migrate(database, logger: quietLogger)

        // Then
        #expect(from == 0)
        #expect(to == Migrations.all.map(\.version).max())
        #expect(try await database.read { try $0.userVersion() } == to)
        #expect(try await database.read { try $0.queryFirst("PRAGMA journal_mode") { $0.text(0) } } == "wal")
        #expect(try await database.read { try $0.queryFirst("PRAGMA synchronous") { $0.int(0) } } == 2)  // FULL
        #expect(try await database.read { try $0.queryFirst("PRAGMA foreign_keys") { $0.int(0) } } == 1)
        let regions = try await RegionStore(database: database).list()
        #expect(regions.count == 10)
        #expect(regions.allSatisfy { $0.roundTripMilliseconds.count == 9 })
        for suffix in ["", "-wal", "-shm"] {
            let mode = try FileManager.default.attributesOfItem(atPath: directory.path + "/modelgate.sqlite" + suffix)[.posixPermissions] as? Int
            #expect(mode == 0o600, "modelgate.sqlite\(suffix)")
        }
        await database.close()
    }

    @Test("Migrating again changes nothing")
    func migrationIsIdempotent() async throws {
        try await withMigratedDatabase { database, _ in
            let store = RegionStore(database: database)
            try await store.setLatency(between: "eastus", and: "westeurope", milliseconds: 1234)

            // When
            let (from, to) = try await Migrations.migrate(database, logger: quietLogger)

            // Then: no migration ran, so the seed did not overwrite the change.
            #expect(from == to)
            #expect(try await store.latency(between: "westeurope", and: "eastus") == 1234)
        }
    }

    @Test("Reopening the file keeps committed data")
    func reopeningKeepsData() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/modelgate.sqlite"
        let first = try await Database(path: path)
        try await Migrations.migrate(first, logger: quietLogger)
        try await WorkspaceStore(database: first).create(
            WorkspaceRecord(name: "prod", id: "id-1", region: "westeurope", tags: ["team": "ml"], createdBy: "admin", createdAt: Date())
        )
        await first.close()

        // When
        let second = try await Database(path: path)
        try await Migrations.migrate(second, logger: quietLogger)

        // Then
        let workspace = try await WorkspaceStore(database: second).workspace(named: "prod")
        #expect(workspace?.region == "westeurope")
        #expect(workspace?.tags == ["team": "ml"])
        await second.close()
    }

    @Test("Data committed without a clean close is there after reopening (no checkpoint, like kill -9)")
    func committedDataSurvivesWithoutClose() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/modelgate.sqlite"
        let first = try await Database(path: path)
        try await Migrations.migrate(first, logger: quietLogger)
        try await WorkspaceStore(database: first).create(
            WorkspaceRecord(name: "crashy", id: "id-2", region: "eastus", createdBy: "admin", createdAt: Date())
        )

        // When: a second connection opens while the first never checkpointed or closed.
        let second = try await Database(path: path)

        // Then
        #expect(try await WorkspaceStore(database: second).workspace(named: "crashy") != nil)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        await second.close()
        await first.close()
    }

    @Test("A failing migration rolls back entirely and leaves the version where it was")
    func failingMigrationRollsBack() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Database(path: directory.path + "/modelgate.sqlite")
        let migrations: [Migrations.Migration] = [
            .sql(1, "one", "CREATE TABLE a (x INTEGER)"),
            .sql(2, "two", "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1)"),
        ]

        // When
        await #expect(throws: DatabaseError.self) {
            try await Migrations.migrate(database, migrations: migrations, logger: quietLogger)
        }

        // Then
        #expect(try await database.read { try $0.userVersion() } == 1)
        let tables = try await database.read { try $0.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) } }
        #expect(tables == ["a"])
        await database.close()
    }

    @Test("A database from a newer server is refused")
    func newerDatabaseIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Database(path: directory.path + "/modelgate.sqlite")
        try await database.read { try $0.execute("PRAGMA user_version = 999") }

        await #expect(throws: DatabaseError.self) {
            try await Migrations.migrate(database, logger: quietLogger)
        }
        await database.close()
    }

    @Test("A throwing write rolls back every statement in it")
    func throwingWriteRollsBack() async throws {
        try await withMigratedDatabase { database, _ in
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await database.write { db in
                    try db.run("UPDATE regions SET display_name = 'changed'")
                    throw Abort()
                }
            }
            let names = try await database.read { try $0.query("SELECT DISTINCT display_name FROM regions") { $0.text(0) } }
            #expect(!names.contains("changed"))
        }
    }

    @Test("Bound parameters are data, never SQL; text and blobs round-trip exactly")
    func boundValuesRoundTrip() async throws {
        try await withMigratedDatabase { database, _ in
            let tricky = "x'); DROP TABLE regions; --\u{0}after-nul é"
            let row = try await database.read { db in
                try db.execute("CREATE TABLE t (s TEXT, b BLOB, e BLOB, n TEXT)")
                try db.run("INSERT INTO t VALUES (?, ?, ?, ?)", [.text(tricky), .blob([0, 1, 255]), .blob([]), .null])
                return try db.queryFirst("SELECT s, b, e, n, e IS NULL FROM t") { row in
                    (row.text(0), row.blob(1), row.blob(2), row.optionalText(3), row.bool(4))
                }
            }
            let (text, blob, empty, null, emptyIsNull) = try #require(row)
            #expect(text == tricky)
            #expect(blob == [0, 1, 255])
            #expect(empty == [])
            #expect(!emptyIsNull)
            #expect(null == nil)
            #expect(try await RegionStore(database: database).names().count == 10)
        }
    }

    @Test("A wrong number of parameters is an error, not a silent NULL")
    func parameterCountIsChecked() async throws {
        try await withMigratedDatabase { database, _ in
            await #expect(throws: DatabaseError.self) {
                try await database.read { try $0.run("SELECT ?, ?", [.text("one")]) }
            }
        }
    }

    @Test("A full disk is RESOURCE_EXHAUSTED, and the connection stays usable")
    func diskFullMapsToResourceExhausted() async throws {
        try await withMigratedDatabase { database, _ in
            // Given: a database that may not grow (SQLite reports SQLITE_FULL as on a full disk).
            let pages = try await database.read { try $0.queryFirst("PRAGMA page_count") { $0.int(0) } ?? 0 }
            try await database.read { try $0.execute("PRAGMA max_page_count = \(pages)") }

            // When
            let error = await #expect(throws: DatabaseError.self) {
                try await database.write { db in
                    try db.execute("CREATE TABLE filler (b BLOB)")
                    for _ in 0..<64 { try db.run("INSERT INTO filler VALUES (?)", [.blob([UInt8](repeating: 7, count: 8192))]) }
                }
            }

            // Then
            #expect(error?.isDiskFull == true)
            #expect(error?.rpcErrorCode == .resourceExhausted)
            #expect(try await RegionStore(database: database).list().count == 10)
        }
    }

    @Test("Calls after close fail instead of crashing")
    func callsAfterCloseFail() async throws {
        let directory = try TemporaryDirectory()
        let database = try await Database(path: directory.path + "/modelgate.sqlite")
        await database.close()
        await #expect(throws: (any Error).self) {
            try await database.read { try $0.userVersion() }
        }
        await database.close()
    }
}
