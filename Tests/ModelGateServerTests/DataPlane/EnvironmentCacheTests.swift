import Foundation
import ModelGateAPI
@testable import ModelGateServer
import NIOPosix
import ModelGateTestSupport
import Synchronization
import Testing

/// The environment cache with real `python -m venv` and `pip install` runs.
/// Packages come from a wheel the test writes, installed with `--no-index`,
/// so nothing needs the network.
@Suite("Environment cache")
struct EnvironmentCacheTests {
    /// A migrated database with workspaces `ws1` and `ws2`, and a cache under the temporary directory.
    static func withCache(_ body: (EnvironmentCache, String) async throws -> Void) async throws {
        try await withMigratedDatabase { database, directory in
            let workspaces = WorkspaceStore(database: database)
            for name in ["ws1", "ws2"] {
                try await workspaces.create(WorkspaceRecord(name: name, id: name, region: "westeurope", createdBy: "t", createdAt: Date()))
            }
            let cache = try EnvironmentCache(
                database: database, root: directory + "/environments", threadPool: .singleton, logger: quietLogger
            )
            try await body(cache, directory)
        }
    }

    static func environment(requirements: [String] = [], steps: [String] = [], python: String = "") -> Environment {
        var environment = Environment()
        environment.workspace = "ws1"
        environment.name = "env"
        environment.pipRequirements = requirements
        environment.buildSteps = steps
        environment.pythonVersion = python
        environment.environmentVariables = ["MODE": "test"]
        return environment
    }

    /// Writes `mgtestpkg-0.1-py3-none-any.whl` (a module whose VALUE is 42) into `directory`.
    static func makeWheel(in directory: String) throws -> String {
        let script = """
            import base64, hashlib, sys, zipfile
            files = {
                "mgtestpkg/__init__.py": b"VALUE = 42\\n",
                "mgtestpkg-0.1.dist-info/METADATA": b"Metadata-Version: 2.1\\nName: mgtestpkg\\nVersion: 0.1\\n",
                "mgtestpkg-0.1.dist-info/WHEEL": b"Wheel-Version: 1.0\\nGenerator: modelgate-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
            }
            def digest(data):
                return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record = "".join(f"{name},{digest(data)},{len(data)}\\n" for name, data in files.items())
            record += "mgtestpkg-0.1.dist-info/RECORD,,\\n"
            path = sys.argv[1] + "/mgtestpkg-0.1-py3-none-any.whl"
            with zipfile.ZipFile(path, "w") as wheel:
                for name, data in files.items():
                    wheel.writestr(name, data)
                wheel.writestr("mgtestpkg-0.1.dist-info/RECORD", record)
            print(path)
            """
        let scriptPath = directory + "/make_wheel.py"
        try Data(script.utf8).write(to: URL(fileURLWithPath: scriptPath))
        let result = try ChildProcess.run("python3", [scriptPath, directory])
        guard result.status == 0 else { throw RPCError(code: .internal, message: "make_wheel.py failed: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Collects progress events.
    final class ProgressLog: Sendable {
        private let events = Mutex<[EnvironmentProgress]>([])
        var report: @Sendable (EnvironmentProgress) async -> Void { { event in self.events.withLock { $0.append(event) } } }
        var steps: [String] { self.events.withLock { $0 }.compactMap { if case .step(let text) = $0 { text } else { nil } } }
        var output: [String] { self.events.withLock { $0 }.compactMap { if case .output(let text) = $0 { text } else { nil } } }
    }

    @Test("An environment with nothing to install runs on the machine's Python; no cache is involved")
    func nothingToInstallUsesMachinePython() async throws {
        try await Self.withCache { cache, _ in
            let log = ProgressLog()
            let resolved = try await cache.resolve(
                environment: Self.environment(requirements: ["# nothing", ""]), workspace: "ws1", progress: log.report
            )
            #expect(resolved.cacheResult == .machinePython)
            #expect(FileManager.default.isExecutableFile(atPath: resolved.pythonExecutable))
            #expect(resolved.pythonVersion.hasPrefix("3."))
            #expect(resolved.environmentVariables == ["MODE": "test"])
            #expect(log.steps.contains { $0.contains("no packages to install") })
            let run = try ChildProcess.run(resolved.pythonExecutable, ["-c", "import sys; print(sys.prefix)"])
            #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == resolved.location)
        }
    }

    @Test("A requirements list is built once into a venv; then the workspace cache hits, and another workspace hits the global cache")
    func buildThenWorkspaceThenGlobalHits() async throws {
        try await Self.withCache { cache, directory in
            // Given an environment that installs a local wheel and runs a build step
            let wheel = try Self.makeWheel(in: directory)
            let environment = Self.environment(requirements: ["--no-index", wheel], steps: ["echo built > built-by-step.txt"])

            // When two deployments in ws1 resolve it at once
            let firstLog = ProgressLog()
            let secondLog = ProgressLog()
            async let first = cache.resolve(environment: environment, workspace: "ws1", progress: firstLog.report)
            async let second = cache.resolve(environment: environment, workspace: "ws1", progress: secondLog.report)
            let results = try await [first, second]

            // Then it is built once: one miss, one workspace hit, in the same place
            #expect(results.map(\.cacheResult).sorted { $0.rawValue < $1.rawValue } == [.workspaceHit, .miss])
            #expect(results[0].location == results[1].location)
            let built = try #require(results.first { $0.cacheResult == .miss })
            #expect(built.location == directory + "/environments/" + built.contentHash)
            #expect(built.pythonExecutable == built.location + "/bin/python")
            let imported = try ChildProcess.run(built.pythonExecutable, ["-c", "import mgtestpkg; print(mgtestpkg.VALUE)"])
            #expect(imported.output.trimmingCharacters(in: .whitespacesAndNewlines) == "42", "\(imported.output)")
            #expect(FileManager.default.fileExists(atPath: built.location + "/built-by-step.txt"))
            let builderLog = built == results[0] ? firstLog : secondLog
            #expect(builderLog.output.contains { $0.contains("Successfully installed mgtestpkg") })

            // And later resolves hit the workspace cache, or the global one for another workspace
            #expect(try await cache.resolve(environment: environment, workspace: "ws1", progress: { _ in }).cacheResult == .workspaceHit)
            let otherLog = ProgressLog()
            let other = try await cache.resolve(environment: environment, workspace: "ws2", progress: otherLog.report)
            #expect(other.cacheResult == .globalHit)
            #expect(other.location == built.location)
            #expect(otherLog.steps.contains { $0.contains("global cache") })
            #expect(try await cache.resolve(environment: environment, workspace: "ws2", progress: { _ in }).cacheResult == .workspaceHit)

            // And a build whose folder lost its completion marker is built again;
            // the other workspace's cache entry went with the broken build.
            try FileManager.default.removeItem(atPath: built.location + "/" + EnvironmentCache.completionMarker)
            let rebuilt = try await cache.resolve(environment: environment, workspace: "ws2", progress: { _ in })
            #expect(rebuilt.cacheResult == .miss)
            #expect(try await cache.resolve(environment: environment, workspace: "ws1", progress: { _ in }).cacheResult == .globalHit)
        }
    }

    @Test("A failed build is FAILED_PRECONDITION carrying pip's last lines, and leaves no folder behind")
    func failedBuildReportsPipOutput() async throws {
        try await Self.withCache { cache, directory in
            let environment = Self.environment(requirements: ["--no-index", "modelgate-no-such-package==1.0"])
            let error = await #expect(throws: RPCError.self) {
                try await cache.resolve(environment: environment, workspace: "ws1", progress: { _ in })
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("pip install exited with status 1") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("modelgate-no-such-package") == true)
            let hash = try EnvironmentContent(environment).contentHash
            #expect(!FileManager.default.fileExists(atPath: directory + "/environments/" + hash))
            let log = try #require(error?.details["log"])
            #expect(try String(contentsOfFile: log, encoding: .utf8).contains("No matching distribution"))

            // The failure is not cached: the next resolve tries again.
            let again = await #expect(throws: RPCError.self) {
                try await cache.resolve(environment: environment, workspace: "ws1", progress: { _ in })
            }
            #expect(again?.code == .failedPrecondition)
        }
    }

    @Test("An explicit Python version the server lacks is FAILED_PRECONDITION")
    func missingPythonVersionIsFailedPrecondition() async throws {
        try await Self.withCache { cache, _ in
            let error = await #expect(throws: RPCError.self) {
                try await cache.resolve(environment: Self.environment(python: "2.6"), workspace: "ws1", progress: { _ in })
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("Python 2.6 is not installed") == true)
        }
    }

    @Test("Malformed content is INVALID_ARGUMENT before anything runs")
    func malformedContentIsRefused() async throws {
        try await Self.withCache { cache, _ in
            var environment = Self.environment(requirements: ["numpy"])
            environment.condaYaml = "dependencies: [numpy]"
            let error = await #expect(throws: RPCError.self) {
                try await cache.resolve(environment: environment, workspace: "ws1", progress: { _ in })
            }
            #expect(error?.code == .invalidArgument)
        }
    }
}
