internal import Glibc
internal import NIOCore

/// A replica that is a child process of the server (``LocalProcessBackend``).
final class LocalReplicaProcess: ReplicaHandle {
    let replicaID: String
    private let process: SpawnedProcess
    private let acceptor: ReplicaSocketAcceptor
    private let eventLoop: any EventLoop

    init(replicaID: String, process: SpawnedProcess, acceptor: ReplicaSocketAcceptor, eventLoop: any EventLoop) {
        self.replicaID = replicaID
        self.process = process
        self.acceptor = acceptor
        self.eventLoop = eventLoop
        process.exitFuture.whenSuccess { [acceptor] status in
            acceptor.fail("replica \(replicaID) \(status) before it connected")
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
