internal import ModelGateAPI

/// What a ``ReplicaPool`` looks like now: state, replicas, load and counters,
/// for `Health`, `GetService` and the autoscaler.
struct ReplicaPoolSnapshot: Sendable {
    var serviceName: String
    var version: String
    var state: ReplicaPoolState
    /// Why it is not healthy (the failure, the crashed replica); empty when healthy.
    var message: String
    var desiredReplicas: Int
    var readyReplicas: Int
    /// One entry per replica, in id order.
    var replicas: [ReplicaStatus]
    /// Requests running on replicas now.
    var inFlight: Int
    /// Replicas running at least one request now.
    var busyReplicas: Int
    /// Requests waiting for a free replica now.
    var queueDepth: Int
    /// Requests received, failed (any code but OK) and refused for lack of a free replica.
    var requestsTotal: UInt64
    var errorsTotal: UInt64
    var rejectedTotal: UInt64
    /// Latency of answered requests, queueing included.
    var latency: LatencyHistogram

    /// Busy replicas over ready ones, 0 with none ready.
    var utilization: Double {
        self.readyReplicas == 0 ? 0 : Double(self.busyReplicas) / Double(self.readyReplicas)
    }

    /// The `ServiceMetrics` entry `Health` reports.
    var metrics: ServiceMetrics {
        var metrics = ServiceMetrics()
        metrics.version = self.version
        metrics.requestsTotal = self.requestsTotal
        metrics.errorsTotal = self.errorsTotal
        metrics.rejectedTotal = self.rejectedTotal
        metrics.latency = self.latency
        metrics.replicas = UInt32(self.readyReplicas)
        metrics.busyReplicas = UInt32(self.busyReplicas)
        metrics.utilization = self.utilization
        metrics.queueDepth = UInt32(self.queueDepth)
        return metrics
    }
}
