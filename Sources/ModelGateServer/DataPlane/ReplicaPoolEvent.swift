/// One step of a ``ReplicaPool``'s life, for `WaitForDeployment`'s progress
/// stream and for tests. Each event carries the pool's state after it.
struct ReplicaPoolEvent: Sendable {
    enum Kind: Sendable, Equatable {
        /// A replica was added (at start or by ``ReplicaPool/resize(to:)``).
        case replicaScheduled
        /// Its process started (again, after a crash); `init()` runs now.
        case processStarted(processID: Int32?)
        /// READY: `init()` finished and the replica serves requests.
        case replicaReady(initMilliseconds: Double)
        /// The script failed to import or `init()` raised (INIT_FAILED), or the
        /// replica never became ready; `traceback` is Python's, when there is one.
        case initFailed(error: String, traceback: String)
        /// The process ended.
        case replicaExited(ReplicaExitStatus)
        /// Liveness probes failed; the replica is being killed.
        case livenessFailed
        /// It will be started again after this wait.
        case replicaRestarting(after: Duration)
        /// It was stopped for good (scale-down or pool stop).
        case replicaStopped
        /// The pool's state changed (see ``ReplicaPoolEvent/state``).
        case stateChanged
    }

    var kind: Kind
    /// The replica concerned; empty for pool-wide events.
    var replicaID: String
    /// The pool's state after this event.
    var state: ReplicaPoolState
    /// Replicas ready after this event.
    var readyReplicas: Int
    /// Replicas wanted.
    var desiredReplicas: Int
    /// A line for people, as `wait_for_deployment(show_output=True)` prints it.
    var message: String
    /// When it happened, in Unix milliseconds.
    var timestampUnixMs: Int64
}
