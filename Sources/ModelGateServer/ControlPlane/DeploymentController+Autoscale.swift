internal import CoreMetrics
internal import Foundation
internal import ModelGateAPI

/// The autoscaler of each serving target, and what it may grow into.
extension DeploymentController {
    /// The autoscaler's delays, which Azure fixes (about 1 s up, about 1 min
    /// down) and `modelgate serve --autoscale-scale-up-delay/--autoscale-scale-down-delay`
    /// change (tests use short ones).
    struct AutoscaleSettings: Sendable {
        var scaleUpDelay: Duration = .zero
        var scaleDownDelay: Duration = .seconds(60)
        /// Overrides `autoscale_refresh_seconds` when set (tests sample faster).
        var refresh: Duration?
    }

    /// What scales a serving target: the running autoscaler and its task.
    struct AutoscalerTask {
        let autoscaler: Autoscaler
        let task: Task<Void, Never>
    }

    /// Starts the autoscaler of the service's serving target (a web service's
    /// pool today; an endpoint's pool when endpoints land), replacing the one
    /// of the pool it replaced.
    func startAutoscaler(key: String, target: any AutoscaleTarget, workspace: String, name: String, config: DeploymentConfig) {
        self.stopAutoscaler(key: key)
        let settings = self.dependencies.autoscale
        let policy: AutoscalePolicy? = config.autoscaleEnabled == .enabled
            ? AutoscalePolicy(
                minReplicas: Int(config.autoscaleMinReplicas), maxReplicas: Int(config.autoscaleMaxReplicas),
                targetUtilizationPercent: Int(config.autoscaleTargetUtilization),
                scaleUpDelay: settings.scaleUpDelay, scaleDownDelay: settings.scaleDownDelay
            )
            : nil
        let serviceName = ServingRegistry.key(workspace: workspace, service: name)
        let logs = self.services[key]?.logs ?? self.endpoints[key]?.logs ?? ServiceLogBuffer(clock: self.dependencies.clock)
        let autoscaler = Autoscaler(
            target: target, policy: policy,
            refresh: settings.refresh ?? .seconds(Int(max(1, config.autoscaleRefreshSeconds))),
            serviceName: serviceName, logs: logs,
            metrics: self.endpointMetrics(endpoint: serviceName, version: ""), logger: self.dependencies.logger,
            room: { [weak self] wanted in await self?.room(workspace: workspace, service: name, wanted: wanted) }
        )
        self.autoscalers[key] = AutoscalerTask(autoscaler: autoscaler, task: Task { await autoscaler.run() })
    }

    /// Stops the service's autoscaler (the service is deleted, or its pool replaced).
    func stopAutoscaler(key: String) {
        self.autoscalers.removeValue(forKey: key)?.task.cancel()
    }

    /// The metrics of one endpoint version, when the server exports metrics.
    func endpointMetrics(endpoint: String, version: String) -> EndpointMetrics? {
        self.dependencies.metricsFactory.map { EndpointMetrics(factory: $0, endpoint: endpoint, version: version) }
    }

    /// How many replicas in all the service may have on its AKS compute target
    /// now: its own plus what the other services leave free, by CPU cores,
    /// memory and GPUs. nil when nothing limits it (ACI, or the service is gone).
    func room(workspace: String, service: String, wanted: Int) async -> Autoscaler.Room? {
        let key = Self.key(workspace: workspace, name: service)
        if let endpoint = self.endpoints[key]?.record { return await self.endpointRoom(key: key, record: endpoint, wanted: wanted) }
        guard let record = self.services[key]?.record, record.deploymentConfig.computeType == .aks else { return nil }
        let config = record.deploymentConfig
        guard let compute = try? await self.dependencies.computes.compute(workspace: record.workspace, name: config.computeTargetName) else {
            return nil
        }
        let used = self.usage(workspace: record.workspace, compute: config.computeTargetName, excluding: key)
        // A little slack so 10 × 0.1 cores fits in 1 core despite binary fractions.
        func fits(free: Double, each: Double) -> Int {
            each <= 0 ? Int.max : max(0, Int(((free + 1e-9) / each).rounded(.down)))
        }
        let limits: [(String, Int)] = [
            ("cpu", fits(free: compute.cpuCores - used.cpuCores, each: config.cpuCores)),
            ("memory", fits(free: compute.memoryGB - used.memoryGB, each: config.memoryGb)),
            ("gpu", fits(free: Double(compute.gpus - used.gpus), each: Double(config.gpuCores))),
        ]
        guard let tightest = limits.min(by: { $0.1 < $1.1 }), tightest.1 != Int.max else { return nil }
        let binding = limits.filter { $0.1 == tightest.1 }.map(\.0).joined(separator: ", ")
        return Autoscaler.Room(
            replicas: tightest.1,
            explanation: "compute target '\(compute.name)' has room for \(tightest.1) (\(binding))"
        )
    }

    /// How many replicas in all the endpoint may have on its compute target
    /// now: the most, up to `wanted`, whose division among its versions (each
    /// with its own cores, memory and GPUs) fits what the others leave free.
    private func endpointRoom(key: String, record: EndpointRecord, wanted: Int) async -> Autoscaler.Room? {
        guard let compute = try? await self.dependencies.computes.compute(workspace: record.workspace, name: record.computeTarget) else {
            return nil
        }
        let used = self.usage(workspace: record.workspace, compute: record.computeTarget, excluding: key)
        let epsilon = 1e-9
        func short(_ replicas: Int) -> [String] {
            let demand = self.endpointDemand(record, replicas: replicas)
            var short: [String] = []
            if demand.cpuCores > compute.cpuCores - used.cpuCores + epsilon { short.append("cpu") }
            if demand.memoryGB > compute.memoryGB - used.memoryGB + epsilon { short.append("memory") }
            if demand.gpus > compute.gpus - used.gpus { short.append("gpu") }
            return short
        }
        let blocking = short(wanted)
        guard !blocking.isEmpty else { return Autoscaler.Room(replicas: wanted, explanation: "") }
        var fitting = wanted - 1
        while fitting > 1, !short(fitting).isEmpty { fitting -= 1 }
        return Autoscaler.Room(
            replicas: fitting,
            explanation: "compute target '\(compute.name)' has room for \(fitting) (\(blocking.joined(separator: ", ")))"
        )
    }
}
