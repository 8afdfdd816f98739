/// The autoscaler's decision, as a pure function of utilisation samples:
/// no processes, no clock of its own, so it is unit-tested sample by sample.
///
/// Utilisation is (busy replicas + requests waiting in the queue) / replicas:
/// counting the queue, as Azure's newer endpoints do, makes the scaler react to
/// overload rather than only to saturation. The replicas wanted for a load are
/// `ceil((busy + queued) / target)` (the same as `ceil(current × utilisation /
/// target)`), within `autoscale_min_replicas` ... `autoscale_max_replicas`.
///
/// - Above the target it scales up eagerly: on the first sample above it (or
///   after ``scaleUpDelay`` of samples above it, when that is set).
/// - Below the target it scales down conservatively: only after every sample
///   for ``scaleDownDelay`` (Azure's about 1 minute) was below it, and the
///   wait starts again after every change of the replica count (by the
///   autoscaler or by a request that woke a scaled-to-zero pool).
struct AutoscalePolicy: Sendable, Equatable {
    var minReplicas: Int
    var maxReplicas: Int
    /// `autoscale_target_utilization`, in percent (1...100).
    var targetUtilizationPercent: Int
    /// How long utilisation must stay above the target before replicas are added.
    var scaleUpDelay: Duration = .zero
    /// How long utilisation must stay below the target before replicas are removed.
    var scaleDownDelay: Duration = .seconds(60)

    /// Replicas wanted for `demand` busy-or-waiting requests, within the bounds.
    func replicasWanted(demand: Int) -> Int {
        let target = max(1, self.targetUtilizationPercent)
        // Integer arithmetic: 7 / 0.7 in floating point is 10.000000000000002.
        let raw = (max(0, demand) * 100 + target - 1) / target
        return min(max(raw, self.minReplicas), max(self.maxReplicas, self.minReplicas))
    }
}
