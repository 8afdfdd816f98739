/// One started replica process, as its backend reports it.
protocol ReplicaHandle: Sendable {
    var replicaID: String { get }
    /// The operating system's process id, when the replica is a local process.
    var processID: Int32? { get }

    /// Waits until the replica has connected back (after its `init()`), and
    /// returns the connection; its first frame (READY or INIT_FAILED) comes
    /// through ``ReplicaConnection/hello()``.
    ///
    /// - Throws: when the replica can no longer connect (it exited, or was stopped).
    func connection() async throws -> ReplicaConnection

    /// Waits until the process has ended.
    func exitStatus() async -> ReplicaExitStatus

    /// Sends SIGTERM (the replica drains, then exits), then SIGKILL after
    /// `grace`; returns once the process has ended.
    @discardableResult
    func terminate(grace: Duration) async -> ReplicaExitStatus

    /// Sends SIGKILL now; does not wait.
    func kill()
}
