/// What the autoscaler reads and moves: an endpoint's replica pool as a
/// whole (all its versions), or a web service's one pool.
///
/// The seam between the autoscaler and the pools: the autoscaler samples
/// ``load`` every `autoscale_refresh_seconds` and calls ``resize(to:)`` with
/// the replica count it wants for the whole endpoint; how that count is
/// divided among versions is the target's business.
protocol AutoscaleTarget: AnyObject, Sendable {
    /// Replicas, busy replicas and waiting requests now, summed over versions.
    var load: AutoscaleLoad { get }
    /// Sets the replica count of the whole pool.
    func resize(to replicas: Int)
}

/// One sample of a pool's load.
struct AutoscaleLoad: Sendable, Equatable {
    /// Replicas wanted now (starting ones included).
    var desiredReplicas: Int
    /// Replicas taking requests.
    var readyReplicas: Int
    /// Ready replicas running at least one request.
    var busyReplicas: Int
    /// Requests waiting for a free replica.
    var queuedRequests: Int
}

extension ReplicaPool: AutoscaleTarget {
    var load: AutoscaleLoad {
        let snapshot = self.snapshot
        return AutoscaleLoad(
            desiredReplicas: snapshot.desiredReplicas, readyReplicas: snapshot.readyReplicas,
            busyReplicas: snapshot.busyReplicas, queuedRequests: snapshot.queueDepth
        )
    }
}
