internal import Glibc
internal import NIOCore

/// A replica that is a child process of the server (``LocalProcessBackend``).
final class LocalReplicaProcess: ReplicaHandle {
    let replicaID: String
    private let process: SpawnedProcess
    private let acceptor: ReplicaSocketAcceptor
    private let eventLoop: any EventLoop

    /// How long after the process exits a connection it made may still be accepted.
    static let acceptGrace: TimeAmount = .seconds(1)

    init(replicaID: String, process: SpawnedProcess, acceptor: ReplicaSocketAcceptor, eventLoop: any EventLoop) {
        self.replicaID = replicaID
        self.process = process
        self.acceptor = acceptor
        self.eventLoop = eventLoop
        process.exitFuture.whenSuccess { [acceptor] status in
            // A replica that connected and wrote INIT_FAILED just before exiting may
            // still wait in the listener's backlog: give the listener a moment to
            // take it, so its traceback is not lost, before giving up on it.
            eventLoop.scheduleTask(in: Self.acceptGrace) {
                acceptor.fail("replica \(replicaID) \(status) before it connected")
            }
        }
    }

    var processID: Int32? { self.process.pid }

    func connection() async throws -> ReplicaConnection {
        try await self.acceptor.connection.get()
    }

    func exitStatus() async -> ReplicaExitStatus {
        // The future is only ever succeeded (see SpawnedProcess.spawn).
        (try? await self.process.exitFuture.get()) ?? .exited(code: -1)
    }

    @discardableResult
    func terminate(grace: Duration) async -> ReplicaExitStatus {
        self.process.signal(SIGTERM)
        let escalation = self.eventLoop.scheduleTask(in: TimeAmount(grace)) { [process] in
            process.signal(SIGKILL)
        }
        let status = await self.exitStatus()
        escalation.cancel()
        return status
    }

    func kill() {
        self.process.signal(SIGKILL)
    }
}
