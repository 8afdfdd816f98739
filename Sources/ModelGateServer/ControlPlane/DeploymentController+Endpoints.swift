internal import Foundation
internal import Logging
internal import ModelGateAPI
internal import ModelGateWire

/// Endpoints (AKS only): up to six versions behind one name, sharing one
/// replica pool (``EndpointPool``), with traffic split by percentile.
///
/// Decisions:
/// - Every change (create, a version created, updated or deleted) is checked
///   against the rules, then stored whole in one transaction
///   (``EndpointStore/save(_:)``), then applied in memory; a crash leaves the
///   endpoint as before or after the change.
/// - A version whose code, models or settings change gets a new
///   ``ReplicaPool``, built as a web service's rollout builds one; it joins
///   the routing table only when ready, replacing the version's old pool,
///   which then drains. Percentile, default and type changes only swap the
///   routing table. A deleted version leaves the table first, then drains.
/// - Rules: at most ``maxVersions`` versions (`FAILED_PRECONDITION`); at most
///   one control (`FAILED_PRECONDITION`); each percentile 0-100
///   (`INVALID_ARGUMENT`) and their sum at most 100 (`FAILED_PRECONDITION`);
///   exactly one default, the first version until another is marked; the
///   default cannot be deleted while others exist, nor the last version
///   (`FAILED_PRECONDITION`).
/// - Names are one namespace per workspace: an endpoint cannot take a
///   service's name, nor a service an endpoint's (`ALREADY_EXISTS`).
/// - A web service keeps its own table and code path (Deploy, UpdateService
///   and GetService are unchanged for their users); in the data plane it is an
///   endpoint with one version, served through the same ``EndpointPool``.
/// - The shared pool's size is the endpoint's: `num_replicas`, or
///   `autoscale_min_replicas` until an autoscaler resizes the ``EndpointPool``
///   (an ``AutoscaleTarget``); it is divided among the ready versions by
///   traffic share, each keeping at least one replica, and counts against the
///   AKS cluster's capacity with each version's own cores, memory and GPUs.
extension DeploymentController {
    /// Most versions per endpoint, as Azure allows.
    static let maxVersions = 6

    // MARK: Create

    /// Creates an endpoint with its first version (the default) and starts rolling it out.
    func createEndpoint(_ request: CreateEndpointRequest, createdBy: String) async throws -> Endpoint {
        try ResourceName.validateService(request.name)
        let workspace = try await self.existingWorkspace(request.workspace)
        let key = Self.key(workspace: workspace, name: request.name)
        try self.requireFreeName(key, name: request.name, workspace: workspace)
        guard let given = request.version else {
            throw RPCError(code: .invalidArgument, message: "version is required: an endpoint is created with its first version")
        }
        try self.begin(key)
        defer { self.end(key) }
        var config = request.deploymentConfig ?? DeploymentConfig()
        guard config.computeType != .aci else {
            throw RPCError(code: .invalidArgument, message: "endpoints run on AKS only; give compute_target_name of an attached AKS cluster")
        }
        config.computeType = .aks
        let (effective, compute) = try await self.effectiveConfig(config, workspace: workspace)
        let keys = try Self.keys(given: request.deploymentConfig, current: nil)
        let now = self.dependencies.clock.now()
        var first = try await self.newVersion(given, workspace: workspace, now: now)
        first.isDefault = true
        var record = EndpointRecord(
            workspace: workspace, name: request.name, deploymentConfig: effective, primaryKey: keys.primary,
            secondaryKey: keys.secondary, description: request.description, tags: request.tags, properties: request.properties,
            createdBy: createdBy, createdAt: now, updatedAt: now, versions: [first]
        )
        record.deploymentConfig.primaryKey = ""
        record.deploymentConfig.secondaryKey = ""
        try Self.checkRules(record)
        try self.checkEndpointCapacity(record, on: compute, excluding: key)
        try await self.saveEndpoint(record, key: key)
        var tracked = TrackedEndpoint(record: record, keys: keys, clock: self.dependencies.clock)
        tracked.pool.setTarget(DeploymentDefaults.initialReplicas(effective))
        self.endpoints[key] = tracked
        self.dependencies.registry.register(ServingEntry(
            workspace: workspace, service: record.name, endpoint: tracked.pool, auth: self.endpointAuth(key), logs: tracked.logs,
            collectsModelData: effective.collectModelData
        ))
        self.dependencies.logger.info("Creating endpoint", metadata: [
            "workspace.name": "\(workspace)", "endpoint.name": "\(record.name)", "endpoint.version": "\(first.name)",
        ])
        self.startVersionRollout(key: key, version: first.name)
        return try self.endpointView(key: key)
    }

    // MARK: Versions

    /// Adds a version; it takes traffic once its replicas are ready.
    func createEndpointVersion(_ request: CreateEndpointVersionRequest) async throws -> Endpoint {
        let (key, tracked) = try await self.trackedEndpoint(workspace: request.workspace, name: request.endpoint)
        guard let given = request.version else { throw RPCError(code: .invalidArgument, message: "version is required") }
        try self.begin(key)
        defer { self.end(key) }
        if tracked.record.index(of: given.name) != nil {
            throw RPCError(code: .alreadyExists, message: "endpoint '\(tracked.record.name)' already has a version '\(given.name)'")
        }
        guard tracked.record.versions.count < Self.maxVersions else {
            throw RPCError(
                code: .failedPrecondition,
                message: "endpoint '\(tracked.record.name)' already has \(Self.maxVersions) versions, the most an endpoint may have; delete one first"
            )
        }
        let now = self.dependencies.clock.now()
        let version = try await self.newVersion(given, workspace: tracked.record.workspace, now: now)
        var record = tracked.record
        if version.isDefault {
            for index in record.versions.indices { record.versions[index].isDefault = false }
        }
        record.versions.append(version)
        try await self.storeVersionChange(&record, key: key, now: now)
        self.dependencies.logger.info("Creating endpoint version", metadata: [
            "workspace.name": "\(record.workspace)", "endpoint.name": "\(record.name)", "endpoint.version": "\(version.name)",
        ])
        self.startVersionRollout(key: key, version: version.name)
        self.publishRoutes(key: key)
        return try self.endpointView(key: key)
    }

    /// Changes a version. Traffic, default and type changes apply to the next
    /// request; new models, code or settings roll out a new pool first.
    ///
    /// With an `update_mask`, each field it names is set as given (so a
    /// percentile can go to 0); without, each field set to a non-default value is.
    func updateEndpointVersion(_ request: UpdateEndpointVersionRequest) async throws -> Endpoint {
        let (key, tracked) = try await self.trackedEndpoint(workspace: request.workspace, name: request.endpoint)
        guard let given = request.version, !given.name.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "version.name is required: it says which version to update")
        }
        try self.begin(key)
        defer { self.end(key) }
        let known: Set<String> = [
            "traffic_percentile", "is_default", "version_type", "models", "inference_config", "deployment_config",
            "description", "tags", "properties",
        ]
        if let unknown = request.updateMask.first(where: { !known.contains($0) }) {
            throw RPCError(code: .invalidArgument, message: "update_mask names '\(unknown)'; the fields are \(known.sorted().joined(separator: ", "))")
        }
        let mask = Set(request.updateMask)
        func changes(_ field: String, _ isSet: Bool) -> Bool { mask.isEmpty ? isSet : mask.contains(field) }
        var record = tracked.record
        guard let index = record.index(of: given.name) else {
            throw RPCError(code: .notFound, message: "endpoint '\(record.name)' has no version '\(given.name)'")
        }
        var version = record.versions[index]
        var redeploy = false
        if changes("traffic_percentile", given.trafficPercentile != 0) {
            version.trafficPercentile = try Self.checkedPercentile(given.trafficPercentile)
        }
        if changes("version_type", given.versionType != .unspecified) {
            version.versionType = given.versionType == .unspecified ? .treatment : given.versionType
        }
        if changes("description", !given.description.isEmpty) { version.description = given.description }
        if changes("tags", !given.tags.isEmpty) { version.tags = given.tags }
        if changes("properties", !given.properties.isEmpty) { version.properties = given.properties }
        if changes("models", !given.models.isEmpty) {
            version.models = try await self.resolveModels(given.models, workspace: record.workspace)
            redeploy = true
        }
        if let inference = given.inferenceConfig, changes("inference_config", true) {
            var merged = inference
            if merged.sourceArchive.isEmpty, merged.sourceArchiveRef == nil {
                merged.sourceArchiveRef = version.inferenceConfig.sourceArchiveRef
            }
            if merged.entryScript.isEmpty { merged.entryScript = version.inferenceConfig.entryScript }
            version.inferenceConfig = try await self.validInferenceConfig(merged, workspace: record.workspace)
            redeploy = true
        }
        if let settings = given.deploymentConfig, changes("deployment_config", true) {
            if mask.contains("deployment_config") {
                version.deploymentConfig = settings
            } else {
                var reader = ProtoReader(bytes: settings.encoded())
                try version.deploymentConfig.merge(from: &reader)
            }
            _ = try Self.versionConfig(record.deploymentConfig, version.deploymentConfig)
            redeploy = true
        }
        let now = self.dependencies.clock.now()
        record.versions[index] = version
        if changes("is_default", given.isDefault) {
            if given.isDefault {
                for other in record.versions.indices { record.versions[other].isDefault = other == index }
            } else if version.isDefault {
                throw RPCError(
                    code: .failedPrecondition,
                    message: "version '\(version.name)' is the default of endpoint '\(record.name)'; mark another version is_default instead"
                )
            }
        }
        if redeploy {
            record.versions[index].generation += 1
            record.versions[index].state = .transitioning
            record.versions[index].error = ""
            record.versions[index].errorCode = .ok
        }
        record.versions[index].updatedAt = now
        try await self.storeVersionChange(&record, key: key, now: now)
        self.dependencies.logger.info("Updating endpoint version", metadata: [
            "workspace.name": "\(record.workspace)", "endpoint.name": "\(record.name)", "endpoint.version": "\(version.name)",
            "endpoint.redeploy": "\(redeploy)",
        ])
        if redeploy { self.startVersionRollout(key: key, version: version.name) }
        self.publishRoutes(key: key)
        return try self.endpointView(key: key)
    }

    /// Removes a version: it leaves the routing table at once (new requests go
    /// to the others), then its replicas finish what they run and stop.
    func deleteEndpointVersion(_ request: DeleteEndpointVersionRequest) async throws -> Endpoint {
        let (key, tracked) = try await self.trackedEndpoint(workspace: request.workspace, name: request.endpoint)
        guard !request.version.isEmpty else { throw RPCError(code: .invalidArgument, message: "version is required") }
        try self.begin(key)
        defer { self.end(key) }
        var record = tracked.record
        guard let index = record.index(of: request.version) else {
            throw RPCError(code: .notFound, message: "endpoint '\(record.name)' has no version '\(request.version)'")
        }
        let version = record.versions[index]
        guard record.versions.count > 1 else {
            throw RPCError(
                code: .failedPrecondition,
                message: "version '\(version.name)' is the last version of endpoint '\(record.name)'; delete the endpoint instead"
            )
        }
        guard !version.isDefault else {
            throw RPCError(
                code: .failedPrecondition,
                message: "version '\(version.name)' is the default of endpoint '\(record.name)' and cannot be deleted while others exist; "
                    + "mark another version is_default first"
            )
        }
        record.versions.remove(at: index)
        record.generation += 1
        record.updatedAt = self.dependencies.clock.now()
        try await self.saveEndpoint(record, key: key)
        let name = version.name.lowercased()
        let rollout = self.endpoints[key]?.rollouts.removeValue(forKey: name)
        rollout?.cancel()
        self.commitEndpoint(record, key: key)
        let retired = self.endpoints[key]?.serving.removeValue(forKey: name)
        // Out of the table first, so new requests go elsewhere; then drain.
        self.publishRoutes(key: key)
        if let retired { Task { await self.stop(retired) } }
        self.finishProgressIfIdle(key: key)
        self.dependencies.logger.info("Deleted endpoint version", metadata: [
            "workspace.name": "\(record.workspace)", "endpoint.name": "\(record.name)", "endpoint.version": "\(version.name)",
        ])
        return try self.endpointView(key: key)
    }

    // MARK: Endpoint-wide changes

    /// Changes endpoint-wide settings (auth, autoscaling, queueing), the description or the tags.
    func updateEndpoint(_ request: UpdateEndpointRequest) async throws -> Endpoint {
        let (key, tracked) = try await self.trackedEndpoint(workspace: request.workspace, name: request.name)
        try self.begin(key)
        defer { self.end(key) }
        let mask = Set(request.updateMask)
        if let unknown = mask.first(where: { !["description", "tags", "deployment_config"].contains($0) && !$0.hasPrefix("deployment_config.") }) {
            throw RPCError(code: .invalidArgument, message: "update_mask names '\(unknown)'; the fields are deployment_config[.<field>], description, tags")
        }
        var record = tracked.record
        if mask.isEmpty ? !request.description.isEmpty : mask.contains("description") { record.description = request.description }
        if mask.isEmpty ? !request.tags.isEmpty : mask.contains("tags") { record.tags = request.tags }
        var keys = tracked.keys.keys
        if let given = request.deploymentConfig, mask.isEmpty || mask.contains(where: { $0.hasPrefix("deployment_config") }) {
            var config = record.deploymentConfig
            var reader = ProtoReader(bytes: given.encoded())
            try config.merge(from: &reader)
            if given.numReplicas != 0, given.autoscaleEnabled == .unspecified { config.autoscaleEnabled = .disabled }
            if given.computeTargetName.lowercased() != record.computeTarget.lowercased(), !given.computeTargetName.isEmpty {
                throw RPCError(code: .invalidArgument, message: "an endpoint's compute target cannot change; create a new endpoint")
            }
            config.computeTargetName = record.computeTarget
            config.computeType = .aks
            (record.deploymentConfig, _) = try await self.effectiveConfig(config, workspace: record.workspace)
            keys = try Self.keys(given: given, current: keys)
            record.deploymentConfig.primaryKey = ""
            record.deploymentConfig.secondaryKey = ""
        }
        record.primaryKey = keys.primary
        record.secondaryKey = keys.secondary
        record.generation += 1
        record.updatedAt = self.dependencies.clock.now()
        try await self.checkEndpointCapacity(record, excluding: key)
        try await self.saveEndpoint(record, key: key)
        self.commitEndpoint(record, key: key)
        tracked.keys.update(keys)
        self.dependencies.registry.setAuth(self.endpointAuth(key), workspace: record.workspace, service: record.name)
        tracked.pool.setTarget(DeploymentDefaults.initialReplicas(record.deploymentConfig))
        self.publishRoutes(key: key)
        // New autoscale settings take effect at once.
        if self.autoscalers[key] != nil { self.startEndpointAutoscaler(key: key) }
        return try self.endpointView(key: key)
    }

    /// Deletes an endpoint with all its versions; their requests drain first.
    func deleteEndpoint(workspace: String, name: String) async throws {
        let (key, tracked) = try await self.trackedEndpoint(workspace: workspace, name: name)
        try self.begin(key)
        defer { self.end(key) }
        try await self.dependencies.endpoints.delete(workspace: tracked.record.workspace, name: tracked.record.name)
        self.endpoints.removeValue(forKey: key)
        for rollout in tracked.rollouts.values { rollout.cancel() }
        tracked.progress.abandon()
        self.stopAutoscaler(key: key)
        self.dependencies.registry.remove(workspace: tracked.record.workspace, service: tracked.record.name)
        let tabled = tracked.pool.publish([])
        for rollout in tracked.rollouts.values { await rollout.value }
        var pools = Array(tracked.serving.values)
        for pool in tabled where !pools.contains(where: { $0 === pool }) { pools.append(pool) }
        await withDiscardingTaskGroup { group in
            for pool in pools { group.addTask { await self.stop(pool) } }
        }
        tracked.logs.finish()
        self.dependencies.logger.info("Deleted endpoint", metadata: ["workspace.name": "\(tracked.record.workspace)", "endpoint.name": "\(tracked.record.name)"])
    }

    // MARK: Reading

    func endpoint(workspace: String, name: String) async throws -> Endpoint {
        let (key, _) = try await self.trackedEndpoint(workspace: workspace, name: name)
        return try self.endpointView(key: key)
    }

    func endpoints(_ request: ListEndpointsRequest) async throws -> [Endpoint] {
        let workspace = try await self.existingWorkspace(request.workspace)
        return try self.endpoints.keys.sorted().compactMap { key -> Endpoint? in
            guard let tracked = self.endpoints[key], tracked.record.workspace.lowercased() == workspace.lowercased() else { return nil }
            if !request.computeTarget.isEmpty, tracked.record.computeTarget.lowercased() != request.computeTarget.lowercased() { return nil }
            return try self.endpointView(key: key)
        }
    }

    /// The endpoint as `GetEndpoint` returns it.
    func endpointView(key: String) throws -> Endpoint {
        guard let tracked = self.endpoints[key] else { throw StoreError.notFound(kind: "endpoint", name: key) }
        let record = tracked.record
        var endpoint = Endpoint()
        endpoint.workspace = record.workspace
        endpoint.name = record.name
        endpoint.defaultVersion = record.defaultVersion?.name ?? ""
        endpoint.deploymentConfig = record.deploymentConfig
        endpoint.scoringURI = self.scoringURI(workspace: record.workspace, name: record.name)
        endpoint.createdAtUnixMs = record.createdAt.millisecondsSince1970
        endpoint.updatedAtUnixMs = record.updatedAt.millisecondsSince1970
        endpoint.createdBy = record.createdBy
        endpoint.generation = UInt64(record.generation)
        let shares = Self.effectiveShares(record)
        var errors: [String] = []
        for (version, share) in zip(record.versions, shares) {
            var view = EndpointVersion()
            view.name = version.name
            view.trafficPercentile = Float(version.trafficPercentile)
            view.isDefault = version.isDefault
            view.versionType = version.versionType
            view.models = version.models
            view.inferenceConfig = version.inferenceConfig
            view.deploymentConfig = version.deploymentConfig
            view.description = version.description
            view.tags = version.tags
            view.properties = version.properties
            view.effectiveTrafficPercentile = Float(share)
            view.createdAtUnixMs = version.createdAt.millisecondsSince1970
            view.updatedAtUnixMs = version.updatedAt.millisecondsSince1970
            let serving = tracked.serving[version.name.lowercased()]?.snapshot
            if tracked.rollouts[version.name.lowercased()] != nil {
                view.state = .transitioning
            } else if version.state == .failed {
                view.state = .failed
                view.error = version.error
            } else if let serving {
                // A serving version whose pool is growing (the endpoint's replicas divided
                // again after a change) keeps serving: it is Healthy, not Transitioning.
                let scaling = serving.state == .transitioning && serving.readyReplicas > 0
                view.state = scaling ? .healthy : serving.state.webServiceState
                if view.state != .healthy { view.error = serving.message }
            } else {
                view.state = version.state
                view.error = version.error
            }
            if let serving {
                view.replicas = serving.replicas.map { replica in
                    var replica = replica
                    replica.computeTarget = record.computeTarget
                    replica.version = version.name
                    return replica
                }
            }
            if !view.error.isEmpty { errors.append("version '\(version.name)': \(view.error)") }
            endpoint.versions.append(view)
        }
        endpoint.state = Self.worst(endpoint.versions.map(\.state))
        endpoint.error = errors.joined(separator: "; ")
        return endpoint
    }

    /// The worst of the versions' states: failed, unschedulable, unhealthy, transitioning, healthy.
    static func worst(_ states: [WebServiceState]) -> WebServiceState {
        for state in [WebServiceState.failed, .unschedulable, .unhealthy, .transitioning] where states.contains(state) { return state }
        return states.isEmpty ? .unspecified : .healthy
    }

    /// The share of traffic each version gets by its record, remainder to the default, in percent.
    static func effectiveShares(_ record: EndpointRecord) -> [Double] {
        let defaultIndex = record.versions.firstIndex(where: \.isDefault) ?? 0
        return EndpointPool.Table.shares(percentiles: record.versions.map(\.trafficPercentile), defaultIndex: defaultIndex)
    }

    // MARK: Rolling out versions

    /// Starts rolling out a version's current record; a rollout of an earlier
    /// generation of the same version is cancelled.
    func startVersionRollout(key: String, version name: String) {
        guard var tracked = self.endpoints[key], let index = tracked.record.index(of: name) else { return }
        let version = tracked.record.versions[index]
        let lower = version.name.lowercased()
        if tracked.rollouts.isEmpty {
            // Rollouts that overlap share one progress log; a new one starts when none runs.
            tracked.progress = DeploymentProgressLog()
        }
        tracked.rollouts[lower]?.cancel()
        let reporter = DeploymentProgressReporter(
            log: tracked.progress, workspace: tracked.record.workspace, name: tracked.record.name,
            desiredReplicas: 1, clock: self.dependencies.clock
        )
        let record = tracked.record
        tracked.rollouts[lower] = Task { await self.rolloutVersion(key: key, endpoint: record, version: version, reporter: reporter) }
        self.endpoints[key] = tracked
    }

    /// Builds and starts the version's pool and waits for it to settle; a
    /// ready pool joins the routing table, replacing the version's old one.
    private func rolloutVersion(
        key: String, endpoint: EndpointRecord, version: EndpointVersionRecord, reporter: DeploymentProgressReporter
    ) async {
        do {
            let config = try Self.versionConfig(endpoint.deploymentConfig, version.deploymentConfig)
            let record = ServiceRecord(
                workspace: endpoint.workspace, name: endpoint.name, models: version.models, inferenceConfig: version.inferenceConfig,
                deploymentConfig: config, primaryKey: "", secondaryKey: "", generation: version.generation,
                createdAt: version.createdAt, updatedAt: version.updatedAt
            )
            var configuration = try await self.preparePool(
                record: record, version: version.name,
                replicaIDPrefix: "\(version.name)-\(Self.replicaIDPrefix(generation: version.generation))", reporter: reporter
            )
            configuration.replicas = 1
            guard let tracked = self.endpoints[key], self.isCurrent(tracked, version) else { throw CancellationError() }
            let (pool, lastFailure) = try await self.startPool(configuration, logs: tracked.logs, reporter: reporter)
            self.finishVersion(key: key, version: version, pool: pool, failure: lastFailure, reporter: reporter)
        } catch {
            self.failVersion(key: key, version: version, error: error, reporter: reporter)
        }
    }

    private func isCurrent(_ tracked: TrackedEndpoint, _ version: EndpointVersionRecord) -> Bool {
        guard let index = tracked.record.index(of: version.name) else { return false }
        return tracked.record.versions[index].generation == version.generation
    }

    /// A settled pool: a healthy one serves the version (the old pool drains), a failed one is recorded.
    private func finishVersion(
        key: String, version: EndpointVersionRecord, pool: ReplicaPool, failure: String, reporter: DeploymentProgressReporter
    ) {
        guard var tracked = self.endpoints[key], self.isCurrent(tracked, version), let index = tracked.record.index(of: version.name) else {
            Task { await self.stop(pool) }
            return
        }
        let lower = version.name.lowercased()
        tracked.rollouts.removeValue(forKey: lower)
        let snapshot = pool.snapshot
        if snapshot.state == .failed {
            let reason = snapshot.message.isEmpty ? "the replicas failed to start" : snapshot.message
            tracked.record.versions[index].state = .failed
            tracked.record.versions[index].error = failure.isEmpty ? reason : "\(reason)\n\(failure)"
            tracked.record.versions[index].errorCode = .failedPrecondition
            self.endpoints[key] = tracked
            Task { await self.stop(pool) }
        } else {
            tracked.record.versions[index].state = .healthy
            tracked.record.versions[index].error = ""
            tracked.record.versions[index].errorCode = .ok
            tracked.serving[lower] = pool
            self.endpoints[key] = tracked
            // The old pool leaves the table in the same swap; its requests finish there.
            self.publishRoutes(key: key)
        }
        let outcome = tracked.record.versions[index]
        self.recordVersionOutcome(endpoint: tracked.record, version: outcome)
        reporter.report(.replicasReady, "Version '\(version.name)' is \(Self.stateName(outcome.state))\(outcome.error.isEmpty ? "" : ": \(outcome.error)")")
        self.finishProgressIfIdle(key: key)
    }

    /// A rollout that failed before its pool settled.
    private func failVersion(key: String, version: EndpointVersionRecord, error: any Error, reporter: DeploymentProgressReporter) {
        guard !(error is CancellationError), var tracked = self.endpoints[key], self.isCurrent(tracked, version),
              let index = tracked.record.index(of: version.name)
        else { return }
        let rpcError: RPCError = switch error {
        case let error as RPCError: error
        case let error as any RPCErrorConvertible: error.rpcError
        default: RPCError(code: .internal, message: "\(error)")
        }
        tracked.rollouts.removeValue(forKey: version.name.lowercased())
        tracked.record.versions[index].state = .failed
        tracked.record.versions[index].error = rpcError.message
        tracked.record.versions[index].errorCode = rpcError.code
        self.endpoints[key] = tracked
        self.recordVersionOutcome(endpoint: tracked.record, version: tracked.record.versions[index])
        reporter.report(.done, "Version '\(version.name)' failed: \(rpcError.message)")
        self.finishProgressIfIdle(key: key)
    }

    /// Ends the progress log with the endpoint's state once no rollout runs.
    func finishProgressIfIdle(key: String) {
        guard let tracked = self.endpoints[key], tracked.rollouts.isEmpty, let view = try? self.endpointView(key: key) else { return }
        let reporter = DeploymentProgressReporter(
            log: tracked.progress, workspace: tracked.record.workspace, name: tracked.record.name, desiredReplicas: 0,
            clock: self.dependencies.clock
        )
        let ready = view.versions.reduce(0) { $0 + $1.replicas.filter { $0.state == .ready }.count }
        reporter.finish(
            state: view.state, message: Self.endpointMessage(view), errorCode: view.state == .failed ? .failedPrecondition : .ok, ready: ready
        )
    }

    static func endpointMessage(_ view: Endpoint) -> String {
        let versions = view.versions.map { "\($0.name) \(Self.stateName($0.state)) \(Self.format(Double($0.effectiveTrafficPercentile)))%" }
        let text = "Endpoint '\(view.name)' is \(Self.stateName(view.state)): \(versions.joined(separator: ", "))"
        return view.error.isEmpty ? text : "\(text); \(view.error)"
    }

    /// Builds the routing table from the versions with a ready pool and swaps
    /// it in; pools that left the table drain and stop.
    func publishRoutes(key: String) {
        guard let tracked = self.endpoints[key] else { return }
        let routes = tracked.record.versions.compactMap { version -> EndpointPool.Route? in
            guard let pool = tracked.serving[version.name.lowercased()] else { return nil }
            return EndpointPool.Route(version: version.name, pool: pool, percentile: version.trafficPercentile, isDefault: version.isDefault)
        }
        for retired in tracked.pool.publish(routes) {
            Task { await self.stop(retired) }
        }
        // The endpoint's pool as a whole is what the autoscaler scales, from its first ready version on.
        if !routes.isEmpty, self.autoscalers[key] == nil {
            self.startEndpointAutoscaler(key: key)
        }
    }

    /// (Re)starts the endpoint's autoscaler with its current settings.
    func startEndpointAutoscaler(key: String) {
        guard let tracked = self.endpoints[key] else { return }
        self.startAutoscaler(
            key: key, target: tracked.pool, workspace: tracked.record.workspace, name: tracked.record.name,
            config: tracked.record.deploymentConfig
        )
    }

    private func recordVersionOutcome(endpoint: EndpointRecord, version: EndpointVersionRecord) {
        let (store, logger) = (self.dependencies.endpoints, self.dependencies.logger)
        logger.info("Endpoint version rollout ended", metadata: [
            "workspace.name": "\(endpoint.workspace)", "endpoint.name": "\(endpoint.name)", "endpoint.version": "\(version.name)",
            "endpoint.state": "\(Self.stateName(version.state))",
        ])
        Task {
            do {
                try await store.recordOutcome(
                    workspace: endpoint.workspace, endpoint: endpoint.name, version: version.name, generation: version.generation,
                    state: version.state, error: version.error, errorCode: version.errorCode
                )
            } catch {
                logger.error("Cannot record an endpoint version's outcome", metadata: ["endpoint.name": "\(endpoint.name)", "error": "\(error)"])
            }
        }
    }

    // MARK: Restoring

    /// Loads every stored endpoint and rolls out its versions (their last
    /// failure is tried again: the code or environment may be there now).
    func restoreEndpoints() async throws {
        for record in try await self.dependencies.endpoints.all() {
            let key = Self.key(workspace: record.workspace, name: record.name)
            guard self.endpoints[key] == nil, self.services[key] == nil else { continue }
            let tracked = TrackedEndpoint(
                record: record, keys: ServiceKeys(primary: record.primaryKey, secondary: record.secondaryKey), clock: self.dependencies.clock
            )
            self.endpoints[key] = tracked
            self.dependencies.registry.register(ServingEntry(
                workspace: record.workspace, service: record.name, endpoint: tracked.pool, auth: self.endpointAuth(key), logs: tracked.logs,
                collectsModelData: record.deploymentConfig.collectModelData
            ))
            self.dependencies.logger.info("Restoring endpoint", metadata: [
                "workspace.name": "\(record.workspace)", "endpoint.name": "\(record.name)", "endpoint.versions": "\(record.versions.count)",
            ])
            for version in record.versions { self.startVersionRollout(key: key, version: version.name) }
        }
    }

    // MARK: Validation

    /// Fails with `ALREADY_EXISTS` when a service or endpoint has the name.
    func requireFreeName(_ key: String, name: String, workspace: String) throws(RPCError) {
        if self.services[key] != nil {
            throw RPCError(code: .alreadyExists, message: "a service named '\(name)' already exists in workspace '\(workspace)'; services and endpoints share names")
        }
        if self.endpoints[key] != nil {
            throw RPCError(code: .alreadyExists, message: "an endpoint named '\(name)' already exists in workspace '\(workspace)'; services and endpoints share names")
        }
    }

    func trackedEndpoint(workspace: String, name: String) async throws -> (String, TrackedEndpoint) {
        let workspace = try await self.existingWorkspace(workspace)
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "endpoint name is required") }
        let key = Self.key(workspace: workspace, name: name)
        guard let tracked = self.endpoints[key] else {
            throw RPCError(code: .notFound, message: "endpoint '\(name)' does not exist in workspace '\(workspace)'")
        }
        return (key, tracked)
    }

    /// The endpoint named `name`, if it is one (calls that take a service name take an endpoint's too).
    func endpointNamed(workspace: String, name: String) async throws -> (String, TrackedEndpoint)? {
        let workspace = try await self.existingWorkspace(workspace)
        let key = Self.key(workspace: workspace, name: name)
        return self.endpoints[key].map { (key, $0) }
    }

    /// Replaces one of the endpoint's keys; the old value fails at once.
    func regenerateEndpointKey(key: String, endpoint: TrackedEndpoint, type: KeyType, value: String) async throws -> ServiceKeys {
        guard endpoint.record.deploymentConfig.authEnabled == .enabled else {
            throw RPCError(code: .failedPrecondition, message: "endpoint '\(endpoint.record.name)' has key auth off (auth_enabled); it has no keys to use")
        }
        return try await self.replaceKey(type, with: value, of: endpoint.keys, lockKey: key) { keys in
            try await self.dependencies.endpoints.setKeys(
                workspace: endpoint.record.workspace, name: endpoint.record.name, primary: keys.primary, secondary: keys.secondary
            )
            self.endpoints[key]?.record.primaryKey = keys.primary
            self.endpoints[key]?.record.secondaryKey = keys.secondary
        }
    }

    /// A version as given, checked and resolved (not yet checked against the others).
    private func newVersion(_ given: EndpointVersion, workspace: String, now: Date) async throws -> EndpointVersionRecord {
        try Self.validateVersionName(given.name)
        let percentile = try Self.checkedPercentile(given.trafficPercentile)
        let models = try await self.resolveModels(given.models, workspace: workspace)
        let inference = try await self.validInferenceConfig(given.inferenceConfig ?? InferenceConfig(), workspace: workspace)
        let settings = given.deploymentConfig ?? DeploymentConfig()
        return EndpointVersionRecord(
            name: given.name, trafficPercentile: percentile, isDefault: given.isDefault,
            versionType: given.versionType == .unspecified ? .treatment : given.versionType, models: models,
            inferenceConfig: inference, deploymentConfig: settings, description: given.description, tags: given.tags,
            properties: given.properties, createdAt: now, updatedAt: now
        )
    }

    /// Version names: 1-32 characters of letters, digits, '-', '_' and '.', starting with a letter or digit.
    static func validateVersionName(_ name: String) throws(RPCError) {
        let bytes = Array(name.utf8)
        let isAlphanumeric = { (byte: UInt8) in (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        guard (1...32).contains(bytes.count), isAlphanumeric(bytes[0]),
              bytes.allSatisfy({ isAlphanumeric($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E })
        else {
            let shown = name.isEmpty ? "version name is required" : "invalid version name '\(ModelFilePath.printable(name))'"
            throw RPCError(
                code: .invalidArgument,
                message: "\(shown): version names are 1-32 characters of letters, digits, '-', '_' and '.', starting with a letter or digit"
            )
        }
    }

    static func checkedPercentile(_ value: Float) throws(RPCError) -> Double {
        guard value.isFinite, value >= 0, value <= 100 else {
            throw RPCError(code: .invalidArgument, message: "traffic_percentile must be between 0 and 100 (got \(value))")
        }
        return Double(value)
    }

    /// The rules that span versions.
    static func checkRules(_ record: EndpointRecord) throws(RPCError) {
        guard record.deploymentConfig.autoscaleScaleToZero != .enabled else {
            throw RPCError(
                code: .invalidArgument,
                message: "endpoint '\(record.name)' cannot scale to zero: its shared pool keeps one replica per version; "
                    + "scale to zero is for web services"
            )
        }
        guard record.versions.count <= Self.maxVersions else {
            throw RPCError(
                code: .failedPrecondition,
                message: "endpoint '\(record.name)' would have \(record.versions.count) versions; the most is \(Self.maxVersions)"
            )
        }
        let controls = record.versions.filter { $0.versionType == .control }
        guard controls.count <= 1 else {
            throw RPCError(
                code: .failedPrecondition,
                message: "endpoint '\(record.name)' may have one control version; '\(controls[0].name)' already is"
                    + " (make it a treatment first)"
            )
        }
        let sum = record.versions.reduce(0) { $0 + $1.trafficPercentile }
        guard sum <= 100 + 1e-6 else {
            let shares = record.versions.map { "\($0.name) \(Self.format($0.trafficPercentile))" }.joined(separator: ", ")
            throw RPCError(
                code: .failedPrecondition,
                message: "traffic percentiles of endpoint '\(record.name)' would sum to \(Self.format(sum)) (\(shares)); they may sum to at most 100"
            )
        }
        guard record.versions.filter(\.isDefault).count == 1 else {
            throw RPCError(code: .internal, message: "endpoint '\(record.name)' has no single default version")
        }
    }

    /// The settings a version's pool runs with: the endpoint's, with the
    /// version's own resources, probes and timeouts where it sets them.
    static func versionConfig(_ endpoint: DeploymentConfig, _ version: DeploymentConfig) throws(RPCError) -> DeploymentConfig {
        var config = endpoint
        if version.cpuCores != 0 { config.cpuCores = version.cpuCores }
        if version.memoryGb != 0 { config.memoryGb = version.memoryGb }
        if version.gpuCores != 0 { config.gpuCores = version.gpuCores }
        if version.scoringTimeoutMs != 0 { config.scoringTimeoutMs = version.scoringTimeoutMs }
        if version.replicaMaxConcurrentRequests != 0 { config.replicaMaxConcurrentRequests = version.replicaMaxConcurrentRequests }
        if version.livenessPeriodSeconds != 0 { config.livenessPeriodSeconds = version.livenessPeriodSeconds }
        if version.livenessTimeoutSeconds != 0 { config.livenessTimeoutSeconds = version.livenessTimeoutSeconds }
        if version.livenessFailureThreshold != 0 { config.livenessFailureThreshold = version.livenessFailureThreshold }
        guard config.cpuCores.isFinite, config.cpuCores > 0, config.memoryGb.isFinite, config.memoryGb > 0 else {
            throw RPCError(code: .invalidArgument, message: "a version's cpu_cores and memory_gb must be positive and finite")
        }
        return config
    }

    /// What the endpoint asks of its cluster: its replica target divided among
    /// versions by traffic share, each version's replicas × its resources.
    func endpointDemand(_ record: EndpointRecord, pool: EndpointPool?) -> ComputeUsage {
        self.endpointDemand(record, replicas: max(pool?.target ?? 0, DeploymentDefaults.initialReplicas(record.deploymentConfig)))
    }

    /// What `replicas` replicas of the endpoint ask for, divided among its versions as its pool divides them.
    func endpointDemand(_ record: EndpointRecord, replicas target: Int) -> ComputeUsage {
        let counts = EndpointPool.divide(target, shares: Self.effectiveShares(record))
        var usage = ComputeUsage()
        for (version, count) in zip(record.versions, counts) {
            let config = (try? Self.versionConfig(record.deploymentConfig, version.deploymentConfig)) ?? record.deploymentConfig
            usage.replicas += count
            usage.cpuCores += Double(count) * config.cpuCores
            usage.memoryGB += Double(count) * config.memoryGb
            usage.gpus += count * Int(config.gpuCores)
        }
        return usage
    }

    private func checkEndpointCapacity(_ record: EndpointRecord, excluding key: String) async throws {
        let compute = try await self.dependencies.computes.compute(workspace: record.workspace, name: record.computeTarget)
        try self.checkEndpointCapacity(record, on: compute, excluding: key)
    }

    private func checkEndpointCapacity(_ record: EndpointRecord, on compute: ComputeRecord?, excluding key: String) throws {
        let demand = self.endpointDemand(record, pool: self.endpoints[key]?.pool)
        try self.checkCapacity(demand: demand, on: compute, computeName: record.computeTarget, workspace: record.workspace,
                               what: "endpoint '\(record.name)'", excluding: key)
    }

    /// How the endpoint's scoring calls authenticate now.
    func endpointAuth(_ key: String) -> ScoringAuth {
        guard let tracked = self.endpoints[key] else { return .none }
        let config = tracked.record.deploymentConfig
        if config.tokenAuthEnabled == .enabled {
            return .token(TokenAuthenticator(
                workspace: tracked.record.workspace, service: tracked.record.name, keys: self.dependencies.tokenKeys,
                clock: self.dependencies.clock, clockSkew: self.dependencies.tokenClockSkew
            ))
        }
        return config.authEnabled == .enabled ? .keys(tracked.keys) : .none
    }

    /// Stores a change to an endpoint's versions (a new one or a changed
    /// one) as the next generation: checked against the version rules and
    /// the compute target's room, saved, then made current.
    private func storeVersionChange(_ record: inout EndpointRecord, key: String, now: Date) async throws {
        record.generation += 1
        record.updatedAt = now
        try Self.checkRules(record)
        try await self.checkEndpointCapacity(record, excluding: key)
        try await self.saveEndpoint(record, key: key)
        self.commitEndpoint(record, key: key)
    }

    /// Makes a stored change the endpoint's desired state, keeping how each
    /// version's latest rollout ended: a rollout may have finished while the
    /// change was being checked and stored (the actor is reentrant at every await).
    private func commitEndpoint(_ record: EndpointRecord, key: String) {
        guard let current = self.endpoints[key]?.record else { return }
        self.endpoints[key]?.record = Self.withRuntimeState(of: current, record)
    }

    /// `record` with the state, error and code of each version that `current`
    /// has at the same generation.
    static func withRuntimeState(of current: EndpointRecord, _ record: EndpointRecord) -> EndpointRecord {
        var record = record
        for index in record.versions.indices {
            guard let known = current.index(of: record.versions[index].name),
                  current.versions[known].generation == record.versions[index].generation
            else { continue }
            record.versions[index].state = current.versions[known].state
            record.versions[index].error = current.versions[known].error
            record.versions[index].errorCode = current.versions[known].errorCode
        }
        return record
    }

    private func saveEndpoint(_ record: EndpointRecord, key: String) async throws {
        var record = record
        if let current = self.endpoints[key]?.record { record = Self.withRuntimeState(of: current, record) }
        self.pendingEndpoints[key] = record
        defer { self.pendingEndpoints.removeValue(forKey: key) }
        try await self.dependencies.endpoints.save(record)
    }
}
