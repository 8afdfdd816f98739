/// The seam between a ``ReplicaPool`` and where replicas run.
///
/// Today replicas are local processes (``LocalProcessBackend``). A Kubernetes
/// backend would create a pod per replica and dial it instead; the pool does
/// not care, as long as it gets a ``ReplicaHandle`` whose connection speaks
/// the replica protocol.
///
/// A backend starts processes and reports their exit; it does not restart
/// them: the pool's supervisor decides that.
protocol ReplicaBackend: Sendable {
    /// Starts one replica. Returns once the process runs, long before it is
    /// ready: the replica connects back after its `init()`.
    ///
    /// - Throws: when the process cannot be started at all (no interpreter,
    ///   no runtime); the message says what to fix.
    func launch(_ spec: ReplicaLaunchSpec) async throws -> any ReplicaHandle

    /// Releases what the backend holds (sockets, connections to a cluster);
    /// called once every pool on it has stopped.
    func shutdown() async
}
