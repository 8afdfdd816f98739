/// What the autoscaler decided from one sample.
struct AutoscaleDecision: Sendable, Equatable {
    /// The replica count the load asks for, within the bounds; the current one
    /// when nothing changes. The compute target's capacity is applied after.
    var replicas: Int
    /// (busy + queued) / replicas, as a fraction (0.8 is 80 %); infinity when
    /// requests wait at a pool with no replicas.
    var utilization: Double
}

/// The autoscaler's memory between samples: since when utilisation has been
/// above or below the target (see ``AutoscalePolicy``).
struct AutoscaleDecider: Sendable {
    let policy: AutoscalePolicy
    private var aboveSince: ContinuousClock.Instant?
    private var belowSince: ContinuousClock.Instant?
    /// The count the last decision asked for, to notice a change made by someone else.
    private var lastReplicas: Int?

    init(policy: AutoscalePolicy) {
        self.policy = policy
    }

    /// (busy + queued) / replicas; infinity when requests wait at a pool with none.
    static func utilization(of load: AutoscaleLoad) -> Double {
        let demand = load.busyReplicas + load.queuedRequests
        guard load.desiredReplicas > 0 else { return demand > 0 ? .infinity : 0 }
        return Double(demand) / Double(load.desiredReplicas)
    }

    /// Decides from one sample taken at `now`.
    mutating func decide(_ load: AutoscaleLoad, now: ContinuousClock.Instant) -> AutoscaleDecision {
        let current = load.desiredReplicas
        if let last = self.lastReplicas, last != current { self.belowSince = nil }
        let demand = load.busyReplicas + load.queuedRequests
        let wanted = self.policy.replicasWanted(demand: demand)
        var replicas = current
        // demand / current against target / 100, in integers.
        let above = demand * 100 > self.policy.targetUtilizationPercent * current
        let below = demand * 100 < self.policy.targetUtilizationPercent * current
        if above {
            self.belowSince = nil
            let since = self.aboveSince ?? now
            self.aboveSince = since
            if now - since >= self.policy.scaleUpDelay, wanted > current { replicas = wanted }
        } else if below {
            self.aboveSince = nil
            let since = self.belowSince ?? now
            self.belowSince = since
            if now - since >= self.policy.scaleDownDelay, wanted < current {
                replicas = wanted
                self.belowSince = nil
            }
        } else {
            self.aboveSince = nil
            self.belowSince = nil
        }
        // The bounds hold whatever the load (a pool started below its minimum, say).
        if current < self.policy.minReplicas { replicas = max(replicas, self.policy.minReplicas) }
        if current > self.policy.maxReplicas { replicas = min(replicas, self.policy.maxReplicas) }
        self.lastReplicas = replicas
        return AutoscaleDecision(replicas: replicas, utilization: Self.utilization(of: load))
    }
}
