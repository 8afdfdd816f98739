internal import Foundation
internal import Logging
internal import ModelGateAPI
internal import Synchronization

/// Scales one serving target (a web service's pool; an endpoint's pool later)
/// by its utilisation: samples ``AutoscaleTarget/load`` every
/// `autoscale_refresh_seconds`, decides with ``AutoscaleDecider``, and calls
/// ``AutoscaleTarget/resize(to:)``, never past what the compute target still
/// has room for (``Room``).
///
/// With autoscaling off it still samples, for the replica, utilisation and
/// queue gauges of ``EndpointMetrics``, and never resizes.
///
/// Every change goes to the service's log as a system line and to the server
/// log; a scale-up the capacity stopped short shows in ``capacityMessage``
/// (which `GetService` reports) until the load no longer asks for more.
///
/// ```swift
/// let autoscaler = Autoscaler(target: pool, policy: policy, configuration: .init(), ...)
/// let task = Task { await autoscaler.run() }   // until cancelled
/// ```
final class Autoscaler: Sendable {
    /// How many replicas in all the service may have on its compute target
    /// now, and a line saying what limits it; nil when nothing does (ACI).
    struct Room: Sendable {
        var replicas: Int
        /// Such as "compute target 'aks-1' has room for 4 (cpu)".
        var explanation: String
    }

    let target: any AutoscaleTarget
    /// nil when autoscaling is off: only the gauges are updated.
    let policy: AutoscalePolicy?
    let refresh: Duration
    let serviceName: String
    let version: String
    private let logs: ServiceLogBuffer
    private let metrics: EndpointMetrics?
    private let room: @Sendable (Int) async -> Room?
    private let logger: Logger
    private let message = Mutex("")

    /// - Parameters:
    ///   - room: asked, with the replica count wanted, only when growing.
    init(
        target: any AutoscaleTarget, policy: AutoscalePolicy?, refresh: Duration, serviceName: String, version: String = "",
        logs: ServiceLogBuffer, metrics: EndpointMetrics?, logger: Logger, room: @escaping @Sendable (Int) async -> Room?
    ) {
        self.target = target
        self.policy = policy
        self.refresh = max(refresh, .milliseconds(10))
        self.serviceName = serviceName
        self.version = version
        self.logs = logs
        self.metrics = metrics
        self.room = room
        var logger = logger
        logger[metadataKey: "service.name"] = "\(serviceName)"
        self.logger = logger
    }

    /// Why the last scale-up stopped short of what the load asks for; empty
    /// when it did not.
    var capacityMessage: String { self.message.withLock { $0 } }

    /// Samples and scales until the task is cancelled.
    func run() async {
        var decider = self.policy.map(AutoscaleDecider.init(policy:))
        while !Task.isCancelled {
            await self.step(&decider)
            guard (try? await Task.sleep(for: self.refresh)) != nil else { return }
        }
    }

    /// One sample: record it, decide, resize.
    func step(_ decider: inout AutoscaleDecider?, now: ContinuousClock.Instant = .now) async {
        let load = self.target.load
        let utilization = AutoscaleDecider.utilization(of: load)
        self.metrics?.recordLoad(load, utilization: utilization)
        guard var current = decider else { return }
        let decision = current.decide(load, now: now)
        decider = current
        var replicas = decision.replicas
        if replicas > load.desiredReplicas {
            if let room = await self.room(replicas), replicas > room.replicas {
                let limited = max(load.desiredReplicas, room.replicas)
                let text = "autoscaler wants \(replicas) replicas; \(room.explanation)"
                let previous = self.message.withLock { message -> String in
                    defer { message = text }
                    return message
                }
                if previous != text {
                    self.systemLog("autoscaler: \(text); staying at \(limited)")
                    self.logger.warning("Autoscaler stopped by capacity", metadata: [
                        "autoscale.wanted": "\(replicas)", "autoscale.limit": "\(room.replicas)",
                    ])
                }
                replicas = limited
            } else {
                self.clearMessage()
            }
        } else if decision.utilization * 100 <= Double(current.policy.targetUtilizationPercent) {
            self.clearMessage()
        }
        guard replicas != load.desiredReplicas else { return }
        // Re-read: a request may have woken a scaled-to-zero pool since the sample.
        let before = self.target.load.desiredReplicas
        guard before == load.desiredReplicas else { return }
        self.target.resize(to: replicas)
        // The target may keep a floor of its own (an endpoint keeps one replica
        // per live version): a resize that changed nothing is no scale event.
        let after = self.target.load.desiredReplicas
        guard after != before else { return }
        replicas = after
        self.metrics?.recordScale(from: before, to: replicas)
        let percent = decision.utilization.isFinite ? String(format: "%.0f %%", decision.utilization * 100) : "requests waiting"
        let direction = replicas > before ? "up" : "down"
        self.systemLog(
            "autoscaler: scaling \(direction) from \(before) to \(replicas) replicas (utilisation \(percent) = (\(load.busyReplicas) busy + "
                + "\(load.queuedRequests) queued) / \(before); target \(current.policy.targetUtilizationPercent) %)"
        )
        self.logger.info("Autoscaler resized the pool", metadata: [
            "autoscale.from": "\(before)", "autoscale.to": "\(replicas)", "autoscale.busy": "\(load.busyReplicas)",
            "autoscale.queued": "\(load.queuedRequests)",
        ])
    }

    private func clearMessage() {
        let old = self.message.withLock { message -> String in
            defer { message = "" }
            return message
        }
        if !old.isEmpty { self.systemLog("autoscaler: the load fits the compute target again") }
    }

    private func systemLog(_ text: String) {
        self.logs.append(replicaID: "", version: self.version, source: .system, text: text)
    }
}
