import Foundation
import ModelGateAPI
@testable import ModelGateServer
import NIOPosix
import Testing

/// A fixture `score.py` (from `Fixtures/scripts/`) served by a real
/// ``ReplicaPool`` of real Python replicas, in a fresh temporary directory.
///
/// ```swift
/// try await ServedScript.with("echo.py", replicas: 2) { pool in
///     let answer = try await pool.score(ReplicaRequest(body: Array("hi".utf8)))
/// }
/// ```
enum ServedScript {
    /// The test bundle's `Fixtures` folder.
    static func fixtures() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    }

    /// What `program(for:)` lays out: the source and model directories of one test.
    static func program(for script: String, modelFiles: [String: String] = [:], in directory: String) throws -> ReplicaProgram {
        let source = "\(directory)/src"
        let model = "\(directory)/model"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: try Self.fixtures().appending(path: "scripts/\(script)"), to: URL(filePath: "\(source)/score.py")
        )
        for (path, contents) in modelFiles {
            let url = URL(filePath: "\(model)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        return ReplicaProgram(entryScript: "score.py", sourceDirectory: source, modelDirectory: model)
    }

    /// A backend whose sockets go in `directory` (removed with the test's temporary directory).
    static func makeBackend(in directory: String) throws -> LocalProcessBackend {
        try LocalProcessBackend(
            runtimeDirectory: try LocalProcessBackend.bundledRuntimeDirectory(), socketDirectory: directory + "/sockets",
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: quietLogger
        )
    }

    /// A pool configuration with test-friendly timings.
    static func configuration(program: ReplicaProgram, replicas: Int) -> ReplicaPoolConfiguration {
        var configuration = ReplicaPoolConfiguration(serviceName: "tests/\(UUID().uuidString.prefix(8))", program: program)
        configuration.replicas = replicas
        // Only a hang should exhaust it: a loaded two-core machine can stall a replica for seconds.
        configuration.maxRequestWait = .seconds(30)
        configuration.startupTimeout = .seconds(30)
        configuration.restartBackoff = .milliseconds(50)
        configuration.drainTimeout = .seconds(5)
        configuration.terminationGrace = .seconds(2)
        return configuration
    }

    /// Runs `body` with a pool serving `script`, then stops the pool (even if `body` throws).
    static func with<T: Sendable>(
        _ script: String, replicas: Int = 1, modelFiles: [String: String] = [:],
        configure: (inout ReplicaPoolConfiguration) -> Void = { _ in },
        _ body: (ReplicaPool) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory()
        let program = try Self.program(for: script, modelFiles: modelFiles, in: directory.path)
        var configuration = Self.configuration(program: program, replicas: replicas)
        configure(&configuration)
        let pool = ReplicaPool(
            configuration: configuration, backend: try Self.makeBackend(in: directory.path), logs: ServiceLogBuffer(),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: quietLogger
        )
        return try await Self.run(pool, body)
    }

    /// Runs `pool` while `body` runs, then stops it.
    static func run<T: Sendable>(_ pool: ReplicaPool, _ body: (ReplicaPool) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body(pool))
            } catch {
                outcome = .failure(error)
            }
            await pool.stop()
            try await group.waitForAll()
            return try outcome.get()
        }
    }
}

extension ReplicaPool {
    /// Scores `body` as UTF-8 text.
    func score(_ body: String) async throws -> ReplicaResponse {
        try await self.score(ReplicaRequest(body: Array(body.utf8)))
    }

    /// The process id a replica reported when it started.
    func processID(of replicaID: String) async -> Int32? {
        for await event in self.events() where event.replicaID == replicaID {
            if case .processStarted(let pid) = event.kind { return pid }
        }
        return nil
    }
}

extension ReplicaResponse {
    var text: String { String(decoding: self.body, as: UTF8.self) }
}

/// The error a call threw, as an ``RPCError`` (nil if it did not throw).
func rpcError(_ body: () async throws -> Void) async -> RPCError? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(code: .unknown, message: "\(error)")
    }
}
