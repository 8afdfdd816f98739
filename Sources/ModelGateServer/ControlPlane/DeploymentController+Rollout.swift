internal import Foundation
internal import Logging
internal import ModelGateAPI

/// Rolling out one generation of a service, in the background.
extension DeploymentController {
    /// Starts rolling out the service's current record, cancelling a rollout
    /// of an earlier generation that is still running.
    func startRollout(key: String) {
        guard var tracked = self.services[key] else { return }
        tracked.rollout?.cancel()
        tracked.progress.abandon()
        let progress = DeploymentProgressLog()
        tracked.progress = progress
        let record = tracked.record
        tracked.rollout = Task { await self.rollout(key: key, record: record, progress: progress) }
        self.services[key] = tracked
    }

    /// Prepares the code, models and environment, starts a pool and waits for
    /// it to settle, reporting each step; then makes it the serving pool, or
    /// records the failure.
    private func rollout(key: String, record: ServiceRecord, progress: DeploymentProgressLog) async {
        let reporter = self.reporter(for: record, progress: progress)
        do {
            let pool = try await self.preparePool(
                record: record, version: "", replicaIDPrefix: Self.replicaIDPrefix(generation: record.generation), reporter: reporter
            )
            try await self.runPool(key: key, record: record, configuration: pool, reporter: reporter)
        } catch {
            self.fail(key: key, generation: record.generation, error: error, reporter: reporter)
        }
    }

    /// Unpacks the code, lays out the models and finds or builds the
    /// environment of `record` (a web service, or one endpoint version with
    /// its settings merged into the endpoint's), reporting each step.
    ///
    /// - Returns: the configuration of a pool that runs it.
    func preparePool(
        record: ServiceRecord, version: String, replicaIDPrefix: String, reporter: DeploymentProgressReporter
    ) async throws -> ReplicaPoolConfiguration {
        let config = record.deploymentConfig
        let serviceName = ServingRegistry.key(workspace: record.workspace, service: record.name)
        let what = version.isEmpty ? "'\(record.name)'" : "version '\(version)' of '\(record.name)'"
        reporter.report(.queued, "Deploying \(what) (generation \(record.generation)) with \(record.models.count) model(s)")
        let archive = record.inferenceConfig.sourceArchiveRef ?? BlobRef()
        reporter.report(
            .packageUpload, "Unpacking the source directory (\(archive.sizeBytes) bytes, \(archive.sha256.prefix(12)))",
            bytes: (archive.sizeBytes, archive.sizeBytes)
        )
        let sourceDirectory = try await self.dependencies.sources.unpack(archive)
        let models = try await self.dependencies.models.resolve(record.models, workspace: record.workspace)
        let modelDirectory = try await self.dependencies.models.materialize(models: models)
        reporter.report(.packageUpload, "Models laid out for AZUREML_MODEL_DIR: \(record.models.joined(separator: ", "))")

        let environment = try await self.environment(for: record)
        reporter.report(.environmentLookup, "Looking up the environment in workspace '\(record.workspace)''s cache, then the global one")
        let resolved = try await self.dependencies.environmentCache.resolve(environment: environment, workspace: record.workspace) { step in
            switch step {
            case .step(let text): reporter.report(.environmentLookup, text)
            case .output(let line): reporter.report(.environmentBuild, line)
            }
        }
        reporter.report(
            resolved.cacheResult == .miss ? .environmentBuild : .environmentLookup,
            "Environment \(resolved.contentHash.prefix(12)): \(Self.describe(resolved.cacheResult)); Python \(resolved.pythonVersion)",
            cacheResult: resolved.cacheResult, environmentHash: resolved.contentHash
        )
        try Task.checkCancellation()

        var pool = ReplicaPoolConfiguration(
            serviceName: serviceName, version: version,
            program: ReplicaProgram(
                pythonExecutable: resolved.pythonExecutable, entryScript: record.inferenceConfig.entryScript,
                sourceDirectory: sourceDirectory, modelDirectory: modelDirectory, environment: resolved.environmentVariables
            ),
            deployment: config
        )
        pool.replicaIDPrefix = replicaIDPrefix
        let placement = config.computeType == .aks ? "compute target '\(config.computeTargetName)'" : "ACI"
        reporter.report(
            .scheduling,
            "Scheduling \(pool.replicas) replica(s) on \(placement), each asking \(config.cpuCores) cores, \(config.memoryGb) GiB, \(config.gpuCores) GPUs"
        )
        return pool
    }

    /// Starts the pool, forwards its events until it settles, then finishes the rollout.
    private func runPool(
        key: String, record: ServiceRecord, configuration: ReplicaPoolConfiguration, reporter: DeploymentProgressReporter
    ) async throws {
        guard let tracked = self.services[key], tracked.record.generation == record.generation else { throw CancellationError() }
        let (pool, lastFailure) = try await self.startPool(configuration, logs: tracked.logs, reporter: reporter)
        self.finish(key: key, generation: record.generation, pool: pool, failure: lastFailure, reporter: reporter)
    }

    /// Starts a pool (a service's, or one endpoint version's) and forwards its
    /// events to `reporter` until it settles.
    ///
    /// - Returns: the pool and the last `init()` failure it reported (empty if none).
    /// - Throws: `CancellationError` when the rollout was cancelled meanwhile (the pool is stopped).
    func startPool(
        _ configuration: ReplicaPoolConfiguration, logs: ServiceLogBuffer, reporter: DeploymentProgressReporter
    ) async throws -> (ReplicaPool, String) {
        let pool = ReplicaPool(
            configuration: configuration, backend: self.dependencies.backend, logs: logs,
            eventLoopGroup: self.dependencies.eventLoopGroup, logger: self.dependencies.logger, clock: self.dependencies.clock,
            metrics: self.endpointMetrics(endpoint: configuration.serviceName, version: configuration.version)
        )
        self.pools[ObjectIdentifier(pool)] = pool
        // The pool's own task: it supervises until stopped. Not a child of the
        // rollout, which ends when the pool is ready; shutdown() stops the pool.
        Task { await pool.run() }

        var lastFailure = ""
        for await event in pool.events() {
            reporter.report(event)
            if case .initFailed(let error, let traceback) = event.kind {
                lastFailure = traceback.isEmpty ? error : "\(error)\n\(traceback)"
            }
            // Each event carries the state after it, and a change of state is an
            // event of its own, so events that led up to the change are all seen first.
            if event.state != .transitioning { break }
        }
        if Task.isCancelled {
            await self.stop(pool)
            throw CancellationError()
        }
        return (pool, lastFailure)
    }

    /// Ends a rollout whose pool settled: a healthy pool replaces the serving
    /// one (which drains), a failed one is recorded.
    private func finish(key: String, generation: Int, pool: ReplicaPool, failure: String, reporter: DeploymentProgressReporter) {
        guard var tracked = self.services[key], tracked.record.generation == generation else {
            // Deleted or superseded meanwhile.
            Task { await self.stop(pool) }
            return
        }
        let record = tracked.record
        let snapshot = pool.snapshot
        tracked.rollout = nil
        if snapshot.state == .failed {
            let reason = snapshot.message.isEmpty ? "the replicas failed to start" : snapshot.message
            tracked.record.state = .failed
            tracked.record.error = failure.isEmpty ? reason : "\(reason)\n\(failure)"
            tracked.record.errorCode = .failedPrecondition
            self.services[key] = tracked
            if self.dependencies.registry.entry(workspace: record.workspace, service: record.name) == nil {
                // Nothing served before: keep the failed pool so scoring says why.
                self.dependencies.registry.register(ServingEntry(
                    workspace: record.workspace, service: record.name, pool: pool, auth: self.auth(for: key), logs: tracked.logs,
                    collectsModelData: record.deploymentConfig.collectModelData
                ))
            } else {
                // An update failed: the previous version keeps serving.
                Task { await self.stop(pool) }
            }
            self.recordOutcome(tracked.record)
            reporter.finish(
                state: .failed, message: "Deployment of '\(record.name)' failed: \(tracked.record.error)", errorCode: .failedPrecondition
            )
            return
        }
        tracked.record.state = .healthy
        tracked.record.error = ""
        tracked.record.errorCode = .ok
        self.services[key] = tracked
        let replaced = self.dependencies.registry.register(ServingEntry(
            workspace: record.workspace, service: record.name, pool: pool, auth: self.auth(for: key), logs: tracked.logs,
            collectsModelData: record.deploymentConfig.collectModelData
        ))
        self.startAutoscaler(key: key, target: pool, workspace: record.workspace, name: record.name, config: record.deploymentConfig)
        // Requests already on the old pool finish there; new ones go to the new pool.
        for old in replaced?.pools ?? [] where old !== pool {
            Task { await self.stop(old) }
        }
        self.recordOutcome(tracked.record)
        let state = snapshot.state.webServiceState
        reporter.finish(
            state: state,
            message: "Service '\(record.name)' is \(Self.stateName(state)): \(snapshot.readyReplicas) of \(snapshot.desiredReplicas) replica(s) ready",
            errorCode: .ok, ready: snapshot.readyReplicas
        )
    }

    /// Records a rollout that failed before its pool settled (a bad archive,
    /// a failed environment build, a missing model).
    func fail(key: String, generation: Int, error: any Error, reporter: DeploymentProgressReporter) {
        guard var tracked = self.services[key], tracked.record.generation == generation, !(error is CancellationError) else { return }
        let rpcError: RPCError = switch error {
        case let error as RPCError: error
        case let error as any RPCErrorConvertible: error.rpcError
        default: RPCError(code: .internal, message: "\(error)")
        }
        tracked.rollout = nil
        tracked.record.state = .failed
        tracked.record.error = rpcError.message
        tracked.record.errorCode = rpcError.code
        self.services[key] = tracked
        self.recordOutcome(tracked.record)
        reporter.finish(
            state: .failed, message: "Deployment of '\(tracked.record.name)' failed: \(rpcError.message)", errorCode: rpcError.code
        )
    }

    /// Stores how the rollout ended (in the background: the answer does not wait for it).
    private func recordOutcome(_ record: ServiceRecord) {
        let (services, logger, now) = (self.dependencies.services, self.dependencies.logger, self.dependencies.clock.now())
        logger.info("Deployment ended", metadata: [
            "workspace.name": "\(record.workspace)", "service.name": "\(record.name)",
            "service.generation": "\(record.generation)", "service.state": "\(Self.stateName(record.state))",
        ])
        Task {
            do {
                try await services.recordOutcome(
                    workspace: record.workspace, name: record.name, generation: record.generation, state: record.state,
                    error: record.error, errorCode: record.errorCode, at: now
                )
            } catch {
                logger.error("Cannot record a deployment's outcome", metadata: ["service.name": "\(record.name)", "error": "\(error)"])
            }
        }
    }

    /// Stops a pool and forgets it.
    func stop(_ pool: ReplicaPool) async {
        await pool.stop()
        self.pools.removeValue(forKey: ObjectIdentifier(pool))
    }

    /// The environment the record names: registered (by its pinned version), inline, or none.
    private func environment(for record: ServiceRecord) async throws -> Environment {
        let inference = record.inferenceConfig
        guard !inference.environmentName.isEmpty else { return inference.environment ?? Environment() }
        guard let stored = try await self.dependencies.environments.environment(
            workspace: record.workspace, name: inference.environmentName,
            version: inference.environmentVersion > 0 ? Int(inference.environmentVersion) : nil
        ) else {
            throw RPCError(
                code: .failedPrecondition,
                message: "environment '\(inference.environmentName):\(inference.environmentVersion)' no longer exists"
            )
        }
        return Environment(stored)
    }

    func reporter(for record: ServiceRecord, progress: DeploymentProgressLog) -> DeploymentProgressReporter {
        DeploymentProgressReporter(
            log: progress, workspace: record.workspace, name: record.name,
            desiredReplicas: DeploymentDefaults.initialReplicas(record.deploymentConfig), clock: self.dependencies.clock
        )
    }

    private static func describe(_ result: EnvironmentCacheResult) -> String {
        switch result {
        case .workspaceHit: "found in the workspace's cache"
        case .globalHit: "found in the global cache"
        case .miss: "built (cache miss)"
        case .machinePython: "no packages to install, the server's Python runs it"
        default: "resolved"
        }
    }
}
