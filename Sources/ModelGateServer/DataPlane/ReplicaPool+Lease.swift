internal import NIOCore

extension ReplicaPool {
    /// A request's hold on one slot of one replica, from dispatch until its answer.
    struct Lease: Sendable {
        var replicaID: String
        /// Which start of the replica: a lease from before a restart must not
        /// free a slot of the new process.
        var generation: UInt64
        var connection: ReplicaConnection
        /// Completed when this generation's process exits.
        var exit: OneShotSignal<ReplicaExitStatus>
    }

    /// A request waiting for a free slot.
    struct Waiter {
        var continuation: CheckedContinuation<Lease, any Error>
        var enqueuedAt: ContinuousClock.Instant
    }
}
