import Logging
import ModelGateServer

/// A migrated database in a fresh temp directory; closed and removed by the caller's scope.
@discardableResult
func withMigratedDatabase<T>(_ body: (Database, String) async throws -> T) async throws -> T {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/modelgate.sqlite"
    let database = try await Database(path: path)
    do {
        try await Migrations.migrate(database, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let result = try await body(database, directory.path)
        await database.close()
        return result
    } catch {
        await database.close()
        throw error
    }
}

/// A logger that drops everything (tests never bootstrap the logging system).
let quietLogger = Logger(label: "modelgate.tests", factory: { _ in SwiftLogNoOpLogHandler() })
