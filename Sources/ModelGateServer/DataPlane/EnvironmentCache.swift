internal import Foundation
public import Logging
public import ModelGateAPI
public import NIOPosix
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Finds or builds the Python environment a deployment's replicas run in.
///
/// Built environments are cached by content hash (``EnvironmentContent``):
/// the workspace's cache is looked up first, then the global one (a hit there
/// is added to the workspace's), and only on a miss is one built. Building
/// means a virtual environment under `<root>/<hash>` (`python -m venv`), the
/// pip requirements installed into it (`pip install -r`), then the extra
/// build steps run in it (`sh -c`, starting in its folder), all as child
/// processes (``BuildProcess``) waited for off the cooperative pool. An
/// environment with nothing to install and no
/// steps is not built at all: the server's own python3 runs it.
///
/// Concurrent resolves of one hash build it once: the first builds, the
/// others wait and then find it in the cache. A failed build removes its
/// folder and reports the tail of its output; the whole log stays in
/// `<root>/logs/<hash>.log`. A folder without its completion marker (a crash
/// mid-build) is never used: it is removed and built again.
///
/// ```swift
/// let resolved = try await cache.resolve(environment: environment, workspace: "ml-prod") { event in
///     if case .step(let text) = event { print(text) }
/// }
/// // resolved.pythonExecutable runs the replica; resolved.cacheResult says where it came from.
/// ```
public actor EnvironmentCache {
    public struct Configuration: Sendable {
        /// The Python used when an environment asks for no particular version,
        /// looked up on `PATH` unless it is a path. Default `python3`.
        public var machinePython: String
        /// Longest one build may take before it is stopped. Default 30 minutes.
        public var buildTimeout: Duration
        /// How many of a failed build's last output lines its error carries. Default 30.
        public var failureTailLines: Int

        public init(machinePython: String = "python3", buildTimeout: Duration = .seconds(1800), failureTailLines: Int = 30) {
            self.machinePython = machinePython
            self.buildTimeout = buildTimeout
            self.failureTailLines = failureTailLines
        }
    }

    /// The file written last into a finished build: a folder without it is incomplete.
    static let completionMarker = ".modelgate-environment"

    /// Where builds live: `<root>/<hash>`, and their logs in `<root>/logs`.
    public nonisolated let root: String
    private let builds: EnvironmentBuildStore
    private let configuration: Configuration
    private let threadPool: NIOThreadPool
    private let clock: WallClock
    private let logger: Logger
    /// The interpreters found so far, by the command or version asked for.
    private var interpreters: [String: PythonInstallation] = [:]
    /// Hashes a resolve is looking up or building now.
    private var inFlight: Set<String> = []
    /// The resolves waiting for them.
    private let waiters = BuildWaiters()

    /// - Parameters:
    ///   - root: created (0700) if missing, with `logs/`.
    public init(
        database: Database, root: String, configuration: Configuration = Configuration(),
        threadPool: NIOThreadPool, clock: WallClock = .system, logger: Logger
    ) throws {
        self.root = root
        self.builds = EnvironmentBuildStore(database: database)
        self.configuration = configuration
        self.threadPool = threadPool
        self.clock = clock
        self.logger = logger
        try BlobStore.makeDirectory(root)
        try BlobStore.makeDirectory(root + "/logs")
    }

    /// Returns the Python to run `environment`'s scoring code with, building
    /// the environment if neither the workspace's nor the global cache has it.
    ///
    /// - Parameters:
    ///   - environment: a registered or inline environment; its content hash is
    ///     computed here (a hash the caller sends is not trusted).
    ///   - workspace: the deploying workspace, whose cache is looked up first and filled.
    ///   - progress: told each step (and each line a build prints), in order.
    /// - Returns: The interpreter, where it is, and the cache result.
    /// - Throws: `INVALID_ARGUMENT` for malformed content; `FAILED_PRECONDITION`
    ///   for a build that failed (with its output's tail) or a Python version
    ///   this server lacks; `DEADLINE_EXCEEDED` for a build past the timeout.
    public func resolve(
        environment: Environment, workspace: String,
        progress: @escaping @Sendable (EnvironmentProgress) async -> Void
    ) async throws -> ResolvedEnvironment {
        let content = try EnvironmentContent(environment)
        let hash = content.contentHash
        let short = String(hash.prefix(12))
        if !content.condaPackages.isEmpty {
            await progress(.step(
                "Warning: conda packages are not installed by this server, only the conda file's pip section: \(content.condaPackages.joined(separator: ", "))"
            ))
        }
        guard content.needsBuild else {
            let python = try await self.interpreter(for: content, progress: progress)
            await progress(.step("Environment \(short) has no packages to install: using the server's Python \(python.version) (\(python.executable))"))
            return ResolvedEnvironment(
                pythonExecutable: python.executable, pythonVersion: python.version, cacheResult: .machinePython,
                location: python.prefix, contentHash: hash, environmentVariables: environment.environmentVariables
            )
        }
        while true {
            try Task.checkCancellation()
            // One resolve per hash at a time looks up and, on a miss, builds; the
            // others wait and then look up again, so a hash is never built twice
            // and a fresh build is never mistaken for a stale one.
            if self.inFlight.contains(hash) {
                await progress(.step("Environment \(short) is being looked up or built for another deployment; waiting for it"))
                do {
                    try await self.waiters.wait(for: hash)
                } catch is CancellationError {
                    // Either this resolve was cancelled (the loop's check ends it), or the
                    // other one was, with its deployment: then try again.
                }
                continue
            }
            self.inFlight.insert(hash)
            do {
                let resolved: ResolvedEnvironment
                if let found = try await self.lookup(content, workspace: workspace, environmentVariables: environment.environmentVariables) {
                    let place = found.cacheResult == .workspaceHit ? "workspace '\(workspace)' cache" : "global cache"
                    await progress(.step("Environment \(short) found in the \(place): \(found.location)"))
                    resolved = found
                } else {
                    resolved = try await self.build(
                        content, workspace: workspace, environmentVariables: environment.environmentVariables, progress: progress
                    )
                }
                self.finishBuild(hash, .success(()))
                return resolved
            } catch {
                self.finishBuild(hash, .failure(error))
                throw error
            }
        }
    }

    // MARK: Lookup

    /// The cached build, if it is recorded and complete on disk; adds a global hit to the workspace's cache.
    private func lookup(_ content: EnvironmentContent, workspace: String, environmentVariables: [String: String]) async throws -> ResolvedEnvironment? {
        guard let (build, inWorkspace) = try await self.builds.lookup(content.contentHash, workspace: workspace) else { return nil }
        guard Self.isComplete(build.location, python: build.pythonExecutable) else {
            self.logger.warning("Cached environment is incomplete; rebuilding", metadata: [
                "environment.hash": "\(content.contentHash)", "environment.location": "\(build.location)",
            ])
            try await self.builds.forget(content.contentHash)
            return nil
        }
        if !inWorkspace {
            try await self.builds.addToWorkspace(content.contentHash, workspace: workspace, at: self.clock.now())
        }
        return ResolvedEnvironment(
            pythonExecutable: build.pythonExecutable, pythonVersion: Self.recordedVersion(build.location),
            cacheResult: inWorkspace ? .workspaceHit : .globalHit, location: build.location,
            contentHash: content.contentHash, environmentVariables: environmentVariables
        )
    }

    private func finishBuild(_ hash: String, _ result: Result<Void, any Error>) {
        self.inFlight.remove(hash)
        self.waiters.finish(hash, with: result)
    }

    // MARK: Building

    private func build(
        _ content: EnvironmentContent, workspace: String, environmentVariables: [String: String],
        progress: @escaping @Sendable (EnvironmentProgress) async -> Void
    ) async throws -> ResolvedEnvironment {
        let hash = content.contentHash
        let short = String(hash.prefix(12))
        let location = "\(self.root)/\(hash)"
        let logPath = "\(self.root)/logs/\(hash).log"
        let started = ContinuousClock.now
        let deadline = started + self.configuration.buildTimeout
        await progress(.step("Environment \(short) is not cached: building it in \(location)"))
        self.logger.info("Building environment", metadata: ["environment.hash": "\(hash)", "workspace.name": "\(workspace)"])
        try await self.removeFolder(location)
        try? await self.threadPool.runIfActive { _ = unlink(logPath) }

        do {
            let base = try await self.interpreter(for: content, progress: progress)
            var environment = ProcessInfo.processInfo.environment
            environment["VIRTUAL_ENV"] = nil
            environment["PYTHONHOME"] = nil

            await progress(.step("Creating a virtual environment with Python \(base.version)"))
            try await self.step(
                "python -m venv", BuildProcess(executable: base.executable, arguments: ["-m", "venv", location], environment: environment),
                logPath: logPath, deadline: deadline, progress: progress
            )
            let python = location + "/bin/python"
            environment["VIRTUAL_ENV"] = location
            environment["PATH"] = location + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment["PIP_NO_INPUT"] = "1"
            environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

            if !content.requirements.isEmpty {
                let requirementsPath = location + "/modelgate-requirements.txt"
                let text = content.requirements.joined(separator: "\n") + "\n"
                try await self.threadPool.runIfActive {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: requirementsPath))
                }
                await progress(.step("Installing \(content.requirements.count) pip requirement line(s)"))
                try await self.step(
                    "pip install",
                    BuildProcess(
                        executable: python, arguments: ["-m", "pip", "install", "--no-input", "-r", requirementsPath],
                        environment: environment
                    ),
                    logPath: logPath, deadline: deadline, progress: progress
                )
            }
            for (index, command) in content.buildSteps.enumerated() {
                await progress(.step("Build step \(index + 1) of \(content.buildSteps.count): \(command)"))
                try await self.step(
                    "build step \(index + 1)",
                    // Each step starts in the environment's folder, with its bin/ first on PATH.
                    BuildProcess(executable: "/bin/sh", arguments: ["-c", "cd \"$VIRTUAL_ENV\" || exit 1\n" + command], environment: environment),
                    logPath: logPath, deadline: deadline, progress: progress
                )
            }
            let installed = try await self.describe(python: python, environment: environment)
            let marker = "{\"content_hash\": \"\(hash)\", \"python_version\": \"\(installed.version)\"}\n"
            try await self.threadPool.runIfActive {
                try Data(marker.utf8).write(to: URL(fileURLWithPath: location + "/" + Self.completionMarker), options: .atomic)
            }
            try await self.builds.record(
                EnvironmentBuildStore.Build(contentHash: hash, location: location, pythonExecutable: python, builtAt: self.clock.now()),
                workspace: workspace
            )
            let elapsed = ContinuousClock.now - started
            await progress(.step("Environment \(short) built in \(elapsed.components.seconds) s and added to the global and workspace '\(workspace)' caches"))
            self.logger.info("Built environment", metadata: [
                "environment.hash": "\(hash)", "environment.seconds": "\(elapsed.components.seconds)",
            ])
            return ResolvedEnvironment(
                pythonExecutable: python, pythonVersion: installed.version, cacheResult: .miss, location: location,
                contentHash: hash, environmentVariables: environmentVariables
            )
        } catch {
            try? await self.removeFolder(location)
            self.logger.warning("Environment build failed", metadata: [
                "environment.hash": "\(hash)", "error": "\(error)", "environment.log": "\(logPath)",
            ])
            throw error
        }
    }

    /// Runs one build stage and turns a failure into a clear error.
    private func step(
        _ name: String, _ process: BuildProcess, logPath: String, deadline: ContinuousClock.Instant,
        progress: @escaping @Sendable (EnvironmentProgress) async -> Void
    ) async throws {
        let remaining = deadline - ContinuousClock.now
        let timeout = self.configuration.buildTimeout
        guard remaining > .zero else { throw Self.timedOut(timeout, logPath: logPath) }
        let outcome = try await process.run(
            logPath: logPath, timeout: remaining, tailLines: self.configuration.failureTailLines
        ) { line in await progress(.output(line)) }
        if outcome.timedOut { throw Self.timedOut(timeout, logPath: logPath) }
        guard outcome.succeeded else {
            let how = outcome.status < 0 ? "was killed by signal \(-outcome.status)" : "exited with status \(outcome.status)"
            let tail = outcome.tail.isEmpty ? "(it printed nothing)" : outcome.tail.joined(separator: "\n")
            throw RPCError(
                code: .failedPrecondition,
                message: "environment build failed: \(name) \(how); its last output:\n\(tail)",
                details: ["log": logPath, "step": name]
            )
        }
    }

    private static func timedOut(_ timeout: Duration, logPath: String) -> RPCError {
        RPCError(
            code: .deadlineExceeded,
            message: "environment build took longer than \(timeout.components.seconds) s and was stopped; see \(logPath)",
            details: ["log": logPath]
        )
    }

    // MARK: Interpreters

    /// The interpreter for `content`'s Python version: the server's own when it
    /// asks for none or its version matches, else `python<version>` on `PATH`.
    ///
    /// - Throws: `FAILED_PRECONDITION` when an explicit `python_version` is not
    ///   installed. A conda file's pin only warns and uses the server's Python.
    private func interpreter(for content: EnvironmentContent, progress: @Sendable (EnvironmentProgress) async -> Void) async throws -> PythonInstallation {
        let machine = try await self.installation(command: self.configuration.machinePython)
        let wanted = content.pythonVersion
        if wanted.isEmpty || machine.satisfies(wanted) { return machine }
        let versioned = "python" + wanted.split(separator: ".").prefix(2).joined(separator: ".")
        if let found = try? await self.installation(command: versioned), found.satisfies(wanted) {
            return found
        }
        guard content.pythonVersionIsExplicit else {
            await progress(.step("Warning: the conda file pins Python \(wanted), which this server lacks; using its Python \(machine.version)"))
            return machine
        }
        throw RPCError(
            code: .failedPrecondition,
            message: "Python \(wanted) is not installed on this server (its python3 is \(machine.version)); install \(versioned) or leave python_version empty"
        )
    }

    /// Asks `command` (a name on `PATH` or a path) for its real executable, version and prefix.
    private func installation(command: String) async throws -> PythonInstallation {
        if let known = self.interpreters[command] { return known }
        guard let executable = Self.findExecutable(command) else {
            throw RPCError(code: .failedPrecondition, message: "no '\(command)' on this server's PATH")
        }
        let found = try await self.describe(python: executable, environment: ProcessInfo.processInfo.environment)
        self.interpreters[command] = found
        return found
    }

    private func describe(python executable: String, environment: [String: String]) async throws -> PythonInstallation {
        let script = "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3]); print(sys.prefix)"
        let outcome = try await BuildProcess(executable: executable, arguments: ["-c", script], environment: environment)
            .run(logPath: nil, timeout: .seconds(60), tailLines: 3)
        guard outcome.succeeded, outcome.tail.count == 3 else {
            throw RPCError(code: .failedPrecondition, message: "'\(executable)' does not run as a Python interpreter: \(outcome.tail.joined(separator: " "))")
        }
        return PythonInstallation(executable: outcome.tail[0], version: outcome.tail[1], prefix: outcome.tail[2])
    }

    /// `command` itself when it contains a `/`, else the first executable of that name on `PATH`.
    static func findExecutable(_ command: String) -> String? {
        if command.contains("/") { return access(command, X_OK) == 0 ? command : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(command)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    // MARK: Files

    /// True when `location` holds a finished build.
    private static func isComplete(_ location: String, python: String) -> Bool {
        access(location + "/" + Self.completionMarker, R_OK) == 0 && access(python, X_OK) == 0
    }

    /// The Python version recorded in a build's completion marker.
    private static func recordedVersion(_ location: String) -> String {
        guard let data = FileManager.default.contents(atPath: location + "/" + Self.completionMarker),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let version = object["python_version"] as? String
        else { return "" }
        return version
    }

    private func removeFolder(_ path: String) async throws {
        try await self.threadPool.runIfActive {
            if FileManager.default.fileExists(atPath: path) {
                try FileManager.default.removeItem(atPath: path)
            }
        }
    }
}
