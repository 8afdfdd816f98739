internal import CoreMetrics
internal import Foundation
internal import Logging
internal import ModelGateAPI
internal import ModelGateWire
internal import NIOCore

/// Deploys, updates and deletes web services, keeps their keys, accounts for
/// their compute capacity, and brings them back after a restart.
///
/// Desired state lives in the database (``ServiceStore``): a change is
/// committed before `Deploy` or `UpdateService` answers, and then rolled out
/// in the background (``rollout(key:record:progress:)``): unpack the source,
/// lay out the models, find or build the environment, start a
/// ``ReplicaPool``, wait for it to settle. A new pool replaces the serving one
/// only once it is ready, and the old one drains, so an update fails no
/// request. At start-up, ``start(serverAddress:)`` rolls out every service
/// whose last deployment did not fail, with the keys and models it had.
///
/// Changes to one service are serialised: a second change while one is
/// committing fails with `ABORTED` (as Azure answers 409), so a deploy and a
/// delete cannot interleave.
actor DeploymentController {
    struct Dependencies: Sendable {
        var services: ServiceStore
        var endpoints: EndpointStore
        var workspaces: WorkspaceStore
        var computes: ComputeStore
        var environments: EnvironmentStore
        var models: ModelStore
        var sources: SourceArchives
        var environmentCache: EnvironmentCache
        var registry: ServingRegistry
        var backend: any ReplicaBackend
        var eventLoopGroup: any EventLoopGroup
        var clock: WallClock
        var logger: Logger
        /// The public keys token-auth services verify against (``TokenAuthenticator``).
        var tokenKeys = TokenVerificationKeys()
        var tokenClockSkew = TokenConfiguration().clockSkew
        /// The autoscaler's delays (``AutoscaleSettings``).
        var autoscale = AutoscaleSettings()
        /// Where endpoint metrics go (the server's Prometheus registry); nil: none.
        var metricsFactory: (any MetricsFactory)?
    }

    /// One service as the controller knows it.
    struct Tracked {
        var record: ServiceRecord
        /// Shared by every pool of the service, so keys survive updates.
        let keys: KeyAuthenticator
        /// Shared by every pool of the service, so logs survive updates.
        let logs: ServiceLogBuffer
        /// The latest deployment's progress.
        var progress: DeploymentProgressLog
        /// The rollout running now, if any.
        var rollout: Task<Void, Never>?

        /// A service the controller has not seen before: its own key checker, log buffer and progress.
        init(record: ServiceRecord, keys: ServiceKeys, clock: WallClock) {
            self.record = record
            self.keys = KeyAuthenticator(serviceName: ServingRegistry.key(workspace: record.workspace, service: record.name), keys: keys)
            self.logs = ServiceLogBuffer(clock: clock)
            self.progress = DeploymentProgressLog()
        }
    }

    let dependencies: Dependencies
    var services: [String: Tracked] = [:]
    /// Endpoints, by the same key as services (one namespace).
    var endpoints: [String: TrackedEndpoint] = [:]
    /// Endpoint records being stored, not yet committed; their capacity counts as taken.
    var pendingEndpoints: [String: EndpointRecord] = [:]
    /// Every pool started and not yet stopped, so shutdown stops them all.
    var pools: [ObjectIdentifier: ReplicaPool] = [:]
    /// The autoscaler of each service's serving target, by service key.
    var autoscalers: [String: AutoscalerTask] = [:]
    /// Services with a change being committed.
    private var busy: Set<String> = []
    /// Records being stored, not yet committed; their capacity counts as taken.
    private var pending: [String: ServiceRecord] = [:]
    /// `host:port` clients dial, for scoring URIs.
    private var serverAddress = ""

    init(dependencies: Dependencies) {
        self.dependencies = dependencies
    }

    /// The controller's key for a service: names are case-insensitive, as in the database.
    static func key(workspace: String, name: String) -> String {
        "\(workspace.lowercased())/\(name.lowercased())"
    }

    // MARK: Life cycle

    /// Loads every stored service and rolls out those whose last deployment
    /// did not fail (Healthy, Unhealthy or interrupted while Transitioning).
    func start(serverAddress: String) async throws {
        self.serverAddress = serverAddress
        let records = try await self.dependencies.services.all()
        for record in records {
            let key = Self.key(workspace: record.workspace, name: record.name)
            guard self.services[key] == nil else { continue }
            let tracked = Tracked(
                record: record, keys: ServiceKeys(primary: record.primaryKey, secondary: record.secondaryKey),
                clock: self.dependencies.clock
            )
            self.services[key] = tracked
            if record.state == .failed {
                tracked.progress.append(self.reporter(for: record, progress: tracked.progress).finalEvent(
                    state: .failed, message: "Deployment of '\(record.name)' failed: \(record.error)", errorCode: record.errorCode
                ))
            } else {
                self.dependencies.logger.info("Restoring service", metadata: [
                    "workspace.name": "\(record.workspace)", "service.name": "\(record.name)", "service.generation": "\(record.generation)",
                ])
                self.startRollout(key: key)
            }
        }
        try await self.restoreEndpoints()
    }

    /// Stops every rollout and every pool (draining their requests).
    func shutdown() async {
        let rollouts = self.services.values.compactMap(\.rollout) + self.endpoints.values.flatMap(\.rollouts.values)
        for rollout in rollouts { rollout.cancel() }
        for rollout in rollouts { await rollout.value }
        for key in Array(self.autoscalers.keys) { self.stopAutoscaler(key: key) }
        let pools = Array(self.pools.values)
        self.pools = [:]
        await withDiscardingTaskGroup { group in
            for pool in pools { group.addTask { await pool.stop() } }
        }
    }

    // MARK: Deploy and update

    /// Validates and stores a deployment, starts rolling it out, and returns
    /// the service in state `Transitioning`.
    ///
    /// - Throws: `ALREADY_EXISTS` without `overwrite`; `INVALID_ARGUMENT` for a
    ///   bad name, configuration or archive; `NOT_FOUND` for a missing model,
    ///   environment or compute target; `RESOURCE_EXHAUSTED` when the replicas
    ///   do not fit the compute target's free capacity.
    func deploy(_ request: DeployRequest, createdBy: String) async throws -> WebService {
        try ResourceName.validateService(request.name)
        let workspace = try await self.existingWorkspace(request.workspace)
        let key = Self.key(workspace: workspace, name: request.name)
        if !request.overwrite, self.services[key] != nil {
            throw RPCError(
                code: .alreadyExists,
                message: "service '\(request.name)' already exists in workspace '\(workspace)'; deploy with overwrite to replace it"
            )
        }
        if self.endpoints[key] != nil {
            throw RPCError(
                code: .alreadyExists,
                message: "an endpoint named '\(request.name)' already exists in workspace '\(workspace)'; services and endpoints share names"
            )
        }
        try self.begin(key)
        defer { self.end(key) }
        let models = try await self.resolveModels(request.models, workspace: workspace)
        let inference = try await self.validInferenceConfig(request.inferenceConfig ?? InferenceConfig(), workspace: workspace)
        let (config, compute) = try await self.effectiveConfig(request.deploymentConfig ?? DeploymentConfig(), workspace: workspace)
        let existing = self.services[key]
        if !request.overwrite, existing != nil {
            throw RPCError(code: .alreadyExists, message: "service '\(request.name)' already exists in workspace '\(workspace)'")
        }
        try self.checkCapacity(config, on: compute, workspace: workspace, service: request.name, excluding: key)
        let keys = try Self.keys(given: request.deploymentConfig, current: existing?.keys.keys)
        let now = self.dependencies.clock.now()
        let record = ServiceRecord(
            workspace: workspace, name: existing?.record.name ?? request.name, models: models, inferenceConfig: inference,
            deploymentConfig: config, primaryKey: keys.primary, secondaryKey: keys.secondary,
            generation: (existing?.record.generation ?? 0) + 1, createdBy: existing?.record.createdBy ?? createdBy,
            createdAt: existing?.record.createdAt ?? now, updatedAt: now
        )
        try await self.save(record, key: key)
        self.commit(record, key: key, keys: keys)
        self.dependencies.logger.info("Deploying service", metadata: [
            "workspace.name": "\(workspace)", "service.name": "\(record.name)", "service.generation": "\(record.generation)",
            "service.models": "\(models.count)", "compute.type": "\(config.computeType == .aks ? "aks" : "aci")",
        ])
        return try self.webService(key: key)
    }

    /// Applies an update and starts rolling it out.
    ///
    /// With an `update_mask`, each field it names (`models`,
    /// `inference_config`, `deployment_config`) replaces the current one.
    /// Without, models and inference config given replace the current ones,
    /// and the deployment config's set fields (non-zero) replace the current
    /// values, the rest staying as they are, as Azure's `Webservice.update`.
    func update(_ request: UpdateServiceRequest) async throws -> WebService {
        let workspace = try await self.existingWorkspace(request.workspace)
        let key = Self.key(workspace: workspace, name: request.name)
        guard let tracked = self.services[key] else { throw StoreError.notFound(kind: "service", name: request.name) }
        try self.begin(key)
        defer { self.end(key) }
        let known: Set<String> = ["models", "inference_config", "deployment_config"]
        if let unknown = request.updateMask.first(where: { !known.contains($0) }) {
            throw RPCError(code: .invalidArgument, message: "update_mask names '\(unknown)'; the fields are \(known.sorted().joined(separator: ", "))")
        }
        let mask = Set(request.updateMask)
        var record = tracked.record
        if mask.contains("models") || (mask.isEmpty && !request.models.isEmpty) {
            record.models = try await self.resolveModels(request.models, workspace: workspace)
        }
        if let inference = request.inferenceConfig, mask.isEmpty || mask.contains("inference_config") {
            var merged = inference
            if merged.sourceArchive.isEmpty, merged.sourceArchiveRef == nil {
                merged.sourceArchiveRef = record.inferenceConfig.sourceArchiveRef
            }
            if merged.entryScript.isEmpty { merged.entryScript = record.inferenceConfig.entryScript }
            record.inferenceConfig = try await self.validInferenceConfig(merged, workspace: workspace)
        }
        var keys = tracked.keys.keys
        var compute: ComputeRecord? = nil
        if let given = request.deploymentConfig, mask.isEmpty || mask.contains("deployment_config") {
            var config: DeploymentConfig
            if mask.contains("deployment_config") {
                config = given
            } else {
                // Merging the encoding sets exactly the fields the caller set (proto3 leaves zero values out).
                config = record.deploymentConfig
                var reader = ProtoReader(bytes: given.encoded())
                try config.merge(from: &reader)
                if given.numReplicas != 0, given.autoscaleEnabled == .unspecified { config.autoscaleEnabled = .disabled }
                if given.autoscaleEnabled == .enabled, given.numReplicas == 0 { config.numReplicas = 0 }
            }
            if config.computeTargetName.isEmpty, config.computeType != .aci {
                config.computeTargetName = record.deploymentConfig.computeTargetName
            }
            (record.deploymentConfig, compute) = try await self.effectiveConfig(config, workspace: workspace)
            keys = try Self.keys(given: given, current: keys)
        }
        if compute == nil, record.deploymentConfig.computeType == .aks {
            compute = try await self.dependencies.computes.compute(workspace: workspace, name: record.computeTarget)
        }
        try self.checkCapacity(record.deploymentConfig, on: compute, workspace: workspace, service: record.name, excluding: key)
        record.primaryKey = keys.primary
        record.secondaryKey = keys.secondary
        record.generation += 1
        record.state = .transitioning
        record.error = ""
        record.errorCode = .ok
        record.updatedAt = self.dependencies.clock.now()
        try await self.save(record, key: key)
        self.commit(record, key: key, keys: keys)
        self.dependencies.logger.info("Updating service", metadata: [
            "workspace.name": "\(workspace)", "service.name": "\(record.name)", "service.generation": "\(record.generation)",
        ])
        return try self.webService(key: key)
    }

    /// Stores a record; until it is committed, its capacity counts as taken,
    /// so a concurrent deploy cannot claim the same cores.
    private func save(_ record: ServiceRecord, key: String) async throws {
        self.pending[key] = record
        defer { self.pending.removeValue(forKey: key) }
        try await self.dependencies.services.save(record)
    }

    /// Makes a committed record the service's desired state and starts its rollout.
    private func commit(_ record: ServiceRecord, key: String, keys: ServiceKeys) {
        if var tracked = self.services[key] {
            tracked.record = record
            tracked.keys.update(keys)
            self.services[key] = tracked
        } else {
            self.services[key] = Tracked(record: record, keys: keys, clock: self.dependencies.clock)
        }
        // Auth switched on or off applies at once to the pool serving now.
        self.dependencies.registry.setAuth(self.auth(for: key), workspace: record.workspace, service: record.name)
        self.startRollout(key: key)
    }

    // MARK: Delete

    /// Deletes a service: forgets it, frees its capacity, and stops its
    /// replicas (their requests drain first).
    func delete(workspace: String, name: String) async throws {
        let workspace = try await self.existingWorkspace(workspace)
        let key = Self.key(workspace: workspace, name: name)
        guard let tracked = self.services[key] else { throw StoreError.notFound(kind: "service", name: name) }
        try self.begin(key)
        defer { self.end(key) }
        try await self.dependencies.services.delete(workspace: workspace, name: tracked.record.name)
        self.services.removeValue(forKey: key)
        self.stopAutoscaler(key: key)
        tracked.rollout?.cancel()
        tracked.progress.abandon()
        let removed = self.dependencies.registry.remove(workspace: workspace, service: tracked.record.name)
        await tracked.rollout?.value
        for pool in removed?.pools ?? [] { await self.stop(pool) }
        tracked.logs.finish()
        self.dependencies.logger.info("Deleted service", metadata: ["workspace.name": "\(workspace)", "service.name": "\(tracked.record.name)"])
    }

    // MARK: Keys

    /// The service's keys.
    ///
    /// - Throws: `FAILED_PRECONDITION` when key auth is off, as Azure answers.
    func keys(workspace: String, name: String) async throws -> ServiceKeys {
        if let (_, endpoint) = try await self.endpointNamed(workspace: workspace, name: name) {
            guard endpoint.record.deploymentConfig.authEnabled == .enabled else {
                throw RPCError(code: .failedPrecondition, message: "endpoint '\(endpoint.record.name)' has key auth off (auth_enabled); it has no keys to use")
            }
            return endpoint.keys.keys
        }
        let tracked = try await self.tracked(workspace: workspace, name: name)
        try Self.requireKeyAuth(tracked.record)
        return tracked.keys.keys
    }

    /// Replaces one key with `value`, or a fresh 256-bit one; the old value
    /// fails at once, the other key keeps working.
    func regenerateKey(workspace: String, name: String, type: KeyType, value: String) async throws -> ServiceKeys {
        if let (key, endpoint) = try await self.endpointNamed(workspace: workspace, name: name) {
            return try await self.regenerateEndpointKey(key: key, endpoint: endpoint, type: type, value: value)
        }
        let tracked = try await self.tracked(workspace: workspace, name: name)
        try Self.requireKeyAuth(tracked.record)
        guard type == .primary || type == .secondary else {
            throw RPCError(code: .invalidArgument, message: "key_type is required: PRIMARY or SECONDARY")
        }
        let key = Self.key(workspace: tracked.record.workspace, name: name)
        try self.begin(key)
        defer { self.end(key) }
        let fresh = value.isEmpty ? try ServiceKeys.generateKey() : try Self.checkedKey(value, field: "key_value")
        var keys = tracked.keys.keys
        if type == .primary { keys.primary = fresh } else { keys.secondary = fresh }
        try await self.dependencies.services.setKeys(
            workspace: tracked.record.workspace, name: tracked.record.name, primary: keys.primary, secondary: keys.secondary
        )
        tracked.keys.update(keys)
        self.services[key]?.record.primaryKey = keys.primary
        self.services[key]?.record.secondaryKey = keys.secondary
        return keys
    }

    // MARK: Reading

    /// One service as `GetService` returns it.
    func service(workspace: String, name: String) async throws -> WebService {
        let tracked = try await self.tracked(workspace: workspace, name: name)
        return try self.webService(key: Self.key(workspace: tracked.record.workspace, name: name))
    }

    /// A workspace's services, filtered as `ListServices` asks.
    func services(_ request: ListServicesRequest) async throws -> [WebService] {
        let workspace = try await self.existingWorkspace(request.workspace)
        let states = Set(request.states.map(\.rawValue))
        return try self.services.keys.sorted().compactMap { key -> WebService? in
            guard let tracked = self.services[key], tracked.record.workspace.lowercased() == workspace.lowercased() else { return nil }
            let record = tracked.record
            if !request.computeTarget.isEmpty, record.computeTarget.lowercased() != request.computeTarget.lowercased() { return nil }
            if !request.modelName.isEmpty, !record.models.contains(where: { $0.hasPrefix(request.modelName + ":") }) { return nil }
            let tags = record.deploymentConfig.tags
            if request.tags.contains(where: { tags[$0.key] == nil || (!$0.value.isEmpty && tags[$0.key] != $0.value) }) { return nil }
            let service = try self.webService(key: key)
            if !states.isEmpty, !states.contains(service.state.rawValue) { return nil }
            return service
        }
    }

    /// The progress of the service's current deployment until it ends; for a
    /// service not transitioning, the one final event with its state now.
    func progress(workspace: String, name: String) async throws -> AsyncStream<DeploymentProgress> {
        if let (key, endpoint) = try await self.endpointNamed(workspace: workspace, name: name) {
            if let stream = endpoint.progress.follow() { return stream }
            let view = try self.endpointView(key: key)
            let event = DeploymentProgressReporter(
                log: endpoint.progress, workspace: view.workspace, name: view.name, desiredReplicas: 0, clock: self.dependencies.clock
            ).finalEvent(state: view.state, message: Self.endpointMessage(view), errorCode: view.state == .failed ? .failedPrecondition : .ok)
            return AsyncStream { continuation in
                continuation.yield(event)
                continuation.finish()
            }
        }
        let tracked = try await self.tracked(workspace: workspace, name: name)
        if let stream = tracked.progress.follow() { return stream }
        let service = try self.webService(key: Self.key(workspace: tracked.record.workspace, name: name))
        let event = self.reporter(for: tracked.record, progress: tracked.progress).finalEvent(
            state: service.state,
            message: service.state == .failed
                ? "Deployment of '\(service.name)' failed: \(service.error)"
                : "Service '\(service.name)' is \(Self.stateName(service.state))\(service.error.isEmpty ? "" : ": \(service.error)")",
            errorCode: service.errorCode
        )
        return AsyncStream { continuation in
            continuation.yield(event)
            continuation.finish()
        }
    }

    /// The service's log buffer and the id prefix of its current deployment's
    /// replicas, for `WaitForDeployment` with `show_output`.
    func output(workspace: String, name: String) async throws -> (ServiceLogBuffer, String) {
        if let (_, endpoint) = try await self.endpointNamed(workspace: workspace, name: name) { return (endpoint.logs, "") }
        let tracked = try await self.tracked(workspace: workspace, name: name)
        return (tracked.logs, Self.replicaIDPrefix(generation: tracked.record.generation))
    }

    /// Replicas of each generation have their own ids (`r3-1`), so the logs tell an update's replicas apart.
    static func replicaIDPrefix(generation: Int) -> String { "r\(generation)-" }

    /// The service's log buffer, for `GetLogs`.
    func logs(workspace: String, name: String) async throws -> ServiceLogBuffer {
        if let (_, endpoint) = try await self.endpointNamed(workspace: workspace, name: name) { return endpoint.logs }
        return try await self.tracked(workspace: workspace, name: name).logs
    }

    /// Whether services are placed on a compute target.
    func isComputeInUse(workspace: String, compute: String) -> Bool {
        self.services.values.contains { Self.isPlaced($0.record, workspace: workspace, compute: compute) }
            || self.endpoints.values.contains {
                $0.record.workspace.lowercased() == workspace.lowercased() && $0.record.computeTarget.lowercased() == compute.lowercased()
            }
    }

    /// What the services on a compute target ask for now.
    func usage(workspace: String, compute: String, excluding excluded: String? = nil) -> ComputeUsage {
        var usage = ComputeUsage()
        var records = self.services.mapValues(\.record)
        records.merge(self.pending) { $1 }
        for (key, record) in records where key != excluded && Self.isPlaced(record, workspace: workspace, compute: compute) {
            let config = record.deploymentConfig
            let serving = self.dependencies.registry.entry(workspace: record.workspace, service: record.name)
            // A failed deployment runs nothing, unless an earlier version still serves.
            if record.state == .failed, serving.map({ $0.pool?.currentState == .failed }) ?? true { continue }
            let replicas = serving
                .map { max($0.pool?.snapshot.desiredReplicas ?? 0, DeploymentDefaults.initialReplicas(config)) }
                ?? DeploymentDefaults.initialReplicas(config)
            usage.replicas += replicas
            usage.cpuCores += Double(replicas) * config.cpuCores
            usage.memoryGB += Double(replicas) * config.memoryGb
            usage.gpus += replicas * Int(config.gpuCores)
        }
        var endpoints = self.endpoints.mapValues(\.record)
        endpoints.merge(self.pendingEndpoints) { $1 }
        for (key, record) in endpoints where key != excluded
            && record.workspace.lowercased() == workspace.lowercased() && record.computeTarget.lowercased() == compute.lowercased() {
            let demand = self.endpointDemand(record, pool: self.endpoints[key]?.pool)
            usage.replicas += demand.replicas
            usage.cpuCores += demand.cpuCores
            usage.memoryGB += demand.memoryGB
            usage.gpus += demand.gpus
        }
        return usage
    }

    // MARK: Building the answer

    /// The service's state now: `Transitioning` while a rollout runs, the
    /// stored failure, else the serving pool's state (`serving`, its snapshot).
    func status(of tracked: Tracked, serving: ReplicaPoolSnapshot?) -> (state: WebServiceState, error: String, code: StatusCode) {
        if tracked.rollout != nil { return (.transitioning, "", .ok) }
        if tracked.record.state == .failed { return (.failed, tracked.record.error, tracked.record.errorCode) }
        if let snapshot = serving {
            let state = snapshot.state.webServiceState
            return (state, state == .healthy ? "" : snapshot.message, state == .healthy ? .ok : .unavailable)
        }
        return (tracked.record.state, tracked.record.error, tracked.record.errorCode)
    }

    func webService(key: String) throws -> WebService {
        guard let tracked = self.services[key] else { throw StoreError.notFound(kind: "service", name: key) }
        let record = tracked.record
        var service = WebService()
        service.workspace = record.workspace
        service.name = record.name
        let serving = self.dependencies.registry.entry(workspace: record.workspace, service: record.name)?.pool?.snapshot
        (service.state, service.error, service.errorCode) = self.status(of: tracked, serving: serving)
        if service.error.isEmpty, let autoscaler = self.autoscalers[key]?.autoscaler {
            // Healthy, but the autoscaler wants more than the compute target has room for.
            service.error = autoscaler.capacityMessage
        }
        service.models = record.models
        service.inferenceConfig = record.inferenceConfig
        service.deploymentConfig = record.deploymentConfig
        service.scoringURI = self.scoringURI(workspace: record.workspace, name: record.name)
        if let serving {
            service.replicas = serving.replicas.map { replica in
                var replica = replica
                replica.computeTarget = record.computeTarget
                return replica
            }
        }
        service.createdAtUnixMs = record.createdAt.millisecondsSince1970
        service.updatedAtUnixMs = record.updatedAt.millisecondsSince1970
        service.createdBy = record.createdBy
        service.generation = UInt64(record.generation)
        return service
    }

    /// Where clients send a service's or endpoint's scoring requests.
    func scoringURI(workspace: String, name: String) -> String {
        "modelgate://\(self.serverAddress.isEmpty ? "localhost" : self.serverAddress)/\(workspace)/\(name)"
    }

    /// How the service's scoring calls authenticate now.
    func auth(for key: String) -> ScoringAuth {
        guard let tracked = self.services[key] else { return .none }
        if tracked.record.deploymentConfig.tokenAuthEnabled == .enabled { return self.tokenAuth(for: tracked.record) }
        return tracked.record.deploymentConfig.authEnabled == .enabled ? .keys(tracked.keys) : .none
    }

    static func stateName(_ state: WebServiceState) -> String {
        switch state {
        case .healthy: "Healthy"
        case .unhealthy: "Unhealthy"
        case .failed: "Failed"
        case .transitioning: "Transitioning"
        case .unschedulable: "Unschedulable"
        default: "Unknown"
        }
    }

    // MARK: Validation

    func begin(_ key: String) throws(RPCError) {
        guard self.busy.insert(key).inserted else {
            throw RPCError(code: .aborted, message: "another change to service '\(key)' is in progress; retry when it has been accepted")
        }
    }

    func end(_ key: String) {
        self.busy.remove(key)
    }

    private func tracked(workspace: String, name: String) async throws -> Tracked {
        let workspace = try await self.existingWorkspace(workspace)
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "name is required") }
        guard let tracked = self.services[Self.key(workspace: workspace, name: name)] else {
            throw RPCError(code: .notFound, message: "service '\(name)' does not exist in workspace '\(workspace)'")
        }
        return tracked
    }

    /// The workspace's name as stored.
    func existingWorkspace(_ name: String) async throws -> String {
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "workspace is required") }
        guard let record = try await self.dependencies.workspaces.workspace(named: name) else {
            throw StoreError.notFound(kind: "workspace", name: name)
        }
        return record.name
    }

    func resolveModels(_ ids: [String], workspace: String) async throws -> [String] {
        try ModelStore.checkDeploymentCount(ids.count)
        return try await self.dependencies.models.resolve(ids, workspace: workspace).map(\.id)
    }

    /// The inference config to store: entry script checked, the archive moved
    /// to the blob store, the environment pinned to a version.
    func validInferenceConfig(_ config: InferenceConfig, workspace: String) async throws -> InferenceConfig {
        var config = config
        guard !config.entryScript.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "inference_config.entry_script is required, such as 'score.py'")
        }
        guard config.runtime.isEmpty || config.runtime.lowercased() == "python" else {
            throw RPCError(code: .invalidArgument, message: "runtime '\(config.runtime)' is not supported; the only runtime is 'python'")
        }
        if !config.sourceArchive.isEmpty {
            guard config.sourceArchive.count <= SourceArchives.maxArchiveBytes else {
                throw RPCError(code: .invalidArgument, message: "the source archive is over \(SourceArchives.maxArchiveBytes >> 20) MiB")
            }
            config.sourceArchiveRef = try await self.dependencies.sources.store(config.sourceArchive)
            config.sourceArchive = []
        } else if let reference = config.sourceArchiveRef {
            guard self.dependencies.sources.contains(reference) else {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "source archive \(reference.sha256.prefix(12)) is not on the server; send the source directory"
                )
            }
        } else {
            throw RPCError(
                code: .invalidArgument,
                message: "inference_config needs the source directory (source_archive, packed by the client) with the entry script"
            )
        }
        if !config.environmentName.isEmpty {
            let version = config.environmentVersion > 0 ? Int(config.environmentVersion) : nil
            guard let environment = try await self.dependencies.environments.environment(
                workspace: workspace, name: config.environmentName, version: version
            ) else {
                throw StoreError.notFound(kind: "environment", name: config.environmentName + (version.map { ":\($0)" } ?? ""))
            }
            config.environmentVersion = Int32(environment.version)
            config.environment = nil
        }
        return config
    }

    /// The deployment config with its defaults, its compute type decided and its target checked.
    func effectiveConfig(_ config: DeploymentConfig, workspace: String) async throws -> (DeploymentConfig, ComputeRecord?) {
        var config = config
        var target: ComputeRecord? = nil
        var type = config.computeType
        if type == .unspecified { type = config.computeTargetName.isEmpty ? .aci : .aks }
        if type == .aks {
            guard !config.computeTargetName.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "an AKS deployment needs compute_target_name: attach a cluster with 'modelgate compute attach aks'")
            }
            guard let compute = try await self.dependencies.computes.compute(workspace: workspace, name: config.computeTargetName) else {
                throw StoreError.notFound(kind: "compute target", name: config.computeTargetName)
            }
            guard compute.kind == .aks else {
                throw RPCError(code: .invalidArgument, message: "compute target '\(compute.name)' is not an AKS cluster")
            }
            config.computeTargetName = compute.name
            target = compute
        } else if type == .aci {
            guard config.computeTargetName.isEmpty else {
                throw RPCError(code: .invalidArgument, message: "an ACI deployment takes no compute target (got '\(config.computeTargetName)')")
            }
        } else {
            throw RPCError(code: .invalidArgument, message: "compute_type \(type.rawValue) is not AKS or ACI")
        }
        return (try DeploymentDefaults.effective(config, computeType: type), target)
    }

    /// - Throws: `RESOURCE_EXHAUSTED` saying what the service asks for and what the cluster has free.
    private func checkCapacity(
        _ config: DeploymentConfig, on compute: ComputeRecord?, workspace: String, service: String, excluding key: String
    ) throws {
        guard config.computeType == .aks else { return }
        let replicas = DeploymentDefaults.initialReplicas(config)
        let demand = ComputeUsage(
            cpuCores: Double(replicas) * config.cpuCores, memoryGB: Double(replicas) * config.memoryGb,
            gpus: replicas * Int(config.gpuCores), replicas: replicas
        )
        try self.checkCapacity(
            demand: demand, on: compute, computeName: config.computeTargetName, workspace: workspace,
            what: "service '\(service)'", excluding: key,
            shape: "\(replicas) replica(s) × \(Self.format(config.cpuCores)) cores, \(Self.format(config.memoryGb)) GiB, \(config.gpuCores) GPUs = "
        )
    }

    /// - Throws: `RESOURCE_EXHAUSTED` saying what `what` asks for (`demand`, all
    ///   its replicas) and what the cluster has free.
    func checkCapacity(
        demand: ComputeUsage, on compute: ComputeRecord?, computeName: String, workspace: String, what: String, excluding key: String,
        shape: String? = nil
    ) throws {
        guard let compute else { throw StoreError.notFound(kind: "compute target", name: computeName) }
        let used = self.usage(workspace: workspace, compute: computeName, excluding: key)
        let freeCores = compute.cpuCores - used.cpuCores
        let freeMemory = compute.memoryGB - used.memoryGB
        let freeGPUs = compute.gpus - used.gpus
        // A little slack so 10 × 0.1 cores fits in 1 core despite binary fractions.
        let epsilon = 1e-9
        guard demand.cpuCores <= freeCores + epsilon, demand.memoryGB <= freeMemory + epsilon, demand.gpus <= freeGPUs else {
            let asked = shape ?? "\(demand.replicas) replica(s) = "
            throw RPCError(
                code: .resourceExhausted,
                message: "\(what) does not fit compute target '\(computeName)': it asks for \(asked)"
                    + "\(Self.format(demand.cpuCores)) cores, \(Self.format(demand.memoryGB)) GiB, \(demand.gpus) GPUs; free: \(Self.format(max(0, freeCores))) of "
                    + "\(Self.format(compute.cpuCores)) cores, \(Self.format(max(0, freeMemory))) of \(Self.format(compute.memoryGB)) GiB, "
                    + "\(max(0, freeGPUs)) of \(compute.gpus) GPUs",
                details: [
                    "requested_cpu_cores": Self.format(demand.cpuCores), "requested_memory_gb": Self.format(demand.memoryGB),
                    "requested_gpus": "\(demand.gpus)",
                    "free_cpu_cores": Self.format(max(0, freeCores)), "free_memory_gb": Self.format(max(0, freeMemory)),
                    "free_gpus": "\(max(0, freeGPUs))",
                ]
            )
        }
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func isPlaced(_ record: ServiceRecord, workspace: String, compute: String) -> Bool {
        record.deploymentConfig.computeType == .aks && record.workspace.lowercased() == workspace.lowercased()
            && record.computeTarget.lowercased() == compute.lowercased()
    }

    private static func requireKeyAuth(_ record: ServiceRecord) throws(RPCError) {
        guard record.deploymentConfig.authEnabled == .enabled else {
            throw RPCError(code: .failedPrecondition, message: "service '\(record.name)' has key auth off (auth_enabled); it has no keys to use")
        }
    }

    /// The keys to use: those the deployment config gives, else the current
    /// ones (keys survive redeploys), else fresh ones.
    static func keys(given config: DeploymentConfig?, current: ServiceKeys?) throws -> ServiceKeys {
        var keys = try current ?? ServiceKeys.generate()
        if let config, !config.primaryKey.isEmpty { keys.primary = try Self.checkedKey(config.primaryKey, field: "primary_key") }
        if let config, !config.secondaryKey.isEmpty { keys.secondary = try Self.checkedKey(config.secondaryKey, field: "secondary_key") }
        return keys
    }

    /// A key given by the user: printable ASCII without spaces, 16 to 256 characters.
    static func checkedKey(_ key: String, field: String) throws(RPCError) -> String {
        let bytes = Array(key.utf8)
        guard (16...256).contains(bytes.count), bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw RPCError(code: .invalidArgument, message: "\(field) must be 16 to 256 printable ASCII characters without spaces")
        }
        return key
    }
}
