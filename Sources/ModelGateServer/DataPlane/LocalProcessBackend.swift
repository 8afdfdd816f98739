internal import Foundation
internal import Glibc
internal import Logging
internal import ModelGateAPI
internal import NIOCore
internal import NIOPosix
internal import Synchronization

/// Runs replicas as child processes of the server: the Python harness shipped
/// in the server's resources (`runtime/modelgate_replica.py`), started with
/// the service's interpreter, connecting back over a Unix socket.
///
/// Each replica's stdout and stderr are pipes read on an event loop into the
/// service's ``ServiceLogBuffer``, line by line, with the replica's id and a
/// timestamp. Each replica runs in a process group of its own (see
/// ``SpawnedProcess``); stopping it sends SIGTERM to the group (the harness
/// drains and exits), then SIGKILL after a grace period.
///
/// Sockets live in a directory only the server's user can enter (mode 0700):
/// the one given (the data directory's `sockets/`) when its path is short
/// enough, else a fresh one under the system's temporary directory, removed
/// by ``shutdown()``. A Unix socket path must stay under 108 bytes, which a
/// data directory path may not.
final class LocalProcessBackend: ReplicaBackend {
    /// The folder holding `modelgate_replica.py`.
    let runtimeDirectory: String
    /// Where the replicas' sockets are created.
    let socketDirectory: String
    /// Whether ``socketDirectory`` was made for this backend (and goes with it).
    private let ownsSocketDirectory: Bool
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let launchCount = Atomic<UInt64>(0)
    /// Starts every socket name, so two backends on one data directory (a
    /// server restarted while a replica of the old one is still exiting)
    /// never bind or remove each other's sockets.
    private let socketPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    /// Longest socket directory path used as given: room for `/<number>.sock`
    /// within the 107 bytes a socket path may have.
    static let maxSocketDirectoryLength = 80

    /// The harness's entry point inside ``runtimeDirectory``.
    var harnessScript: String { "\(self.runtimeDirectory)/modelgate_replica.py" }

    /// - Parameters:
    ///   - runtimeDirectory: the harness folder; ``bundledRuntimeDirectory()`` unless overridden.
    ///   - socketDirectory: where to put the replicas' sockets (created 0700 if
    ///     missing); nil, or a path too long for a socket, uses a fresh
    ///     temporary directory instead.
    /// - Throws: when the harness is missing or the socket directory cannot be made.
    init(runtimeDirectory: String, socketDirectory: String? = nil, eventLoopGroup: any EventLoopGroup, logger: Logger) throws {
        self.runtimeDirectory = runtimeDirectory
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        guard FileManager.default.fileExists(atPath: "\(runtimeDirectory)/modelgate_replica.py") else {
            throw RPCError(
                code: .failedPrecondition,
                message: "the replica runtime is missing: no modelgate_replica.py in '\(runtimeDirectory)'"
            )
        }
        if let socketDirectory, socketDirectory.utf8.count <= Self.maxSocketDirectoryLength {
            guard mkdir(socketDirectory, 0o700) == 0 || errno == EEXIST else {
                throw RPCError(
                    code: .internal,
                    message: "cannot create the replica socket directory '\(socketDirectory)': \(String(cString: strerror(errno)))"
                )
            }
            self.socketDirectory = socketDirectory
            self.ownsSocketDirectory = false
        } else {
            self.socketDirectory = try Self.makeSocketDirectory()
            self.ownsSocketDirectory = true
        }
    }

    deinit {
        if self.ownsSocketDirectory {
            try? FileManager.default.removeItem(atPath: self.socketDirectory)
        }
    }

    /// Removes the socket directory if it was made for this backend. Call
    /// once every pool has stopped.
    func shutdown() async {
        if self.ownsSocketDirectory {
            try? FileManager.default.removeItem(atPath: self.socketDirectory)
        }
    }

    /// The harness as shipped in the server's resource bundle.
    ///
    /// - Throws: when the bundle has no `runtime` folder (a server binary copied
    ///   without its `.resources` folder); configure the path explicitly then.
    static func bundledRuntimeDirectory() throws -> String {
        guard let url = Bundle.module.url(forResource: "runtime", withExtension: nil) else {
            throw RPCError(
                code: .failedPrecondition,
                message: "the server's resource bundle has no replica runtime; set the runtime directory explicitly"
            )
        }
        return url.path
    }

    func launch(_ spec: ReplicaLaunchSpec) async throws -> any ReplicaHandle {
        let number = self.launchCount.add(1, ordering: .relaxed).newValue
        let socketPath = "\(self.socketDirectory)/\(self.socketPrefix)-\(number).sock"
        let eventLoop = spec.eventLoop ?? self.eventLoopGroup.next()
        let acceptor = ReplicaSocketAcceptor(
            socketPath: socketPath, replicaID: spec.replicaID, maxPayload: spec.maxFrameBytes,
            eventLoop: eventLoop, logger: self.logger
        )
        let listener = try await ServerBootstrap(group: eventLoop)
            .serverChannelOption(.backlog, value: 4)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try acceptor.accept(channel) }
            }
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true)
            .get()
        acceptor.listening(on: listener)

        let process: SpawnedProcess
        let stdout: (read: Int32, write: Int32)
        let stderr: (read: Int32, write: Int32)
        do {
            stdout = try LinuxExtensions.makePipe()
            do {
                stderr = try LinuxExtensions.makePipe()
            } catch {
                close(stdout.read)
                close(stdout.write)
                throw error
            }
            defer {
                // The child has its own copies; ours must go so the pipes end when it exits.
                close(stdout.write)
                close(stderr.write)
            }
            do {
                process = try SpawnedProcess.spawn(
                    executable: spec.program.pythonExecutable,
                    arguments: self.arguments(for: spec, socketPath: socketPath),
                    environment: ProcessInfo.processInfo.environment.merging(spec.program.environment) { $1 },
                    standardOutput: stdout.write, standardError: stderr.write, eventLoop: eventLoop
                )
            } catch {
                close(stdout.read)
                close(stderr.read)
                throw error
            }
        } catch {
            acceptor.fail("replica \(spec.replicaID) could not be started: \(error)")
            throw RPCError(code: .failedPrecondition, message: "replica \(spec.replicaID) could not be started: \(error)")
        }

        for (fd, source) in [(stdout.read, LogSource.stdout), (stderr.read, LogSource.stderr)] {
            let (replicaID, version, logs) = (spec.replicaID, spec.version, spec.logs)
            do {
                _ = try await NIOPipeBootstrap(group: eventLoop)
                    .channelOption(.allowRemoteHalfClosure, value: true)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(
                                ReplicaOutputReader(replicaID: replicaID, version: version, source: source, logs: logs)
                            )
                        }
                    }
                    .takingOwnershipOfDescriptor(input: fd)
                    .get()
            } catch {
                // Output is lost, the replica still runs; say so in its log.
                close(fd)
                spec.logs.append(
                    replicaID: spec.replicaID, version: spec.version, source: .system,
                    text: "cannot capture the replica's \(source == .stdout ? "stdout" : "stderr"): \(error)"
                )
            }
        }
        self.logger.debug("Replica process started", metadata: [
            "replica.id": "\(spec.replicaID)", "service.name": "\(spec.serviceName)", "process.pid": "\(process.pid)",
        ])
        return LocalReplicaProcess(replicaID: spec.replicaID, process: process, acceptor: acceptor, eventLoop: eventLoop)
    }

    /// The harness's command line (the runtime's `PROTOCOL.md`, "Start-up").
    func arguments(for spec: ReplicaLaunchSpec, socketPath: String) -> [String] {
        [
            self.harnessScript,
            "--socket", socketPath,
            "--entry-script", spec.program.entryScript,
            "--source-dir", spec.program.sourceDirectory,
            "--model-dir", spec.program.modelDirectory,
            "--max-concurrent", String(spec.maxConcurrentRequests),
            "--replica-id", spec.replicaID,
            "--max-frame-bytes", String(spec.maxFrameBytes),
            // One access line per request would flood the service's log buffer.
            "--no-access-log",
        ]
    }

    private static func makeSocketDirectory() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.utf8.count <= 60 ? $0 : nil } ?? "/tmp"
        var template = Array("\(base.hasSuffix("/") ? String(base.dropLast()) : base)/modelgate-replicas-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }
        }
        guard made != nil else {
            throw RPCError(code: .internal, message: "cannot create a directory for replica sockets under \(base): \(String(cString: strerror(errno)))")
        }
        return template.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { String(cString: $0) } ?? ""
        }
    }
}
