public import Foundation
public import ModelGateAPI
internal import ModelGateRPC

/// Web services: deploy, follow the deployment, inspect, change, delete, read
/// logs, and manage the keys scoring calls carry. Every call signs in with the
/// client's credentials (see ``ModelGateClient``).
///
/// ```swift
/// var inference = try AzureInferenceConfigFile.read(path: "inferenceconfig.json").pack().config
/// let deployment = try AzureDeploymentConfigFile.read(path: "deploymentconfig.json").config
/// _ = try await client.deploy(
///     workspace: "ml-prod", name: "linreg", models: ["linreg:1"],
///     inferenceConfig: inference, deploymentConfig: deployment)
/// for try await event in client.waitForDeployment(workspace: "ml-prod", name: "linreg") {
///     print(event.message)
/// }
/// let keys = try await client.keys(workspace: "ml-prod", service: "linreg")
/// ```
extension ModelGateClient {
    /// Deploys models as a web service, after Azure's `Model.deploy`; returns at
    /// once with the service in state `TRANSITIONING`.
    ///
    /// Follow the deployment with ``waitForDeployment(workspace:name:showOutput:)``.
    ///
    /// - Parameters:
    ///   - models: `"name:version"` (or `"name"` for the latest); at most 1000.
    ///   - inferenceConfig: the entry script, its packed source directory and its environment.
    ///   - deploymentConfig: resources, scaling, auth and limits; zero fields take Azure's defaults.
    ///     Its `computeTargetName` names the AKS cluster.
    ///   - overwrite: replace a service of the same name (keeping its keys) instead of
    ///     failing with `ALREADY_EXISTS`.
    /// - Returns: The service as accepted.
    public func deploy(
        workspace: String, name: String, models: [String], inferenceConfig: InferenceConfig,
        deploymentConfig: DeploymentConfig, overwrite: Bool = false
    ) async throws -> WebService {
        var request = DeployRequest()
        request.workspace = workspace
        request.name = name
        request.models = models
        request.inferenceConfig = inferenceConfig
        request.deploymentConfig = deploymentConfig
        request.overwrite = overwrite
        let response: DeployResponse = try await self.authorizedUnary(ModelGateMethods.Deployment.deploy, request)
        guard let service = response.service else {
            throw RPCError(code: .internal, message: "the server accepted the deployment of '\(name)' without returning the service")
        }
        return service
    }

    /// The progress of a service's current deployment, after Azure's
    /// `wait_for_deployment(show_output=True)`: package received, environment
    /// found or built, replicas scheduled, started and ready.
    ///
    /// The sequence ends after the event whose `final` is true; its `state`
    /// says how the deployment ended (`HEALTHY`, `UNHEALTHY`, `FAILED`). A service
    /// that is not deploying yields that one final event. Stopping the iteration
    /// early cancels the call (not the deployment).
    ///
    /// - Parameter showOutput: also stream the replicas' output lines as events.
    public func waitForDeployment(workspace: String, name: String, showOutput: Bool = false)
        -> AsyncThrowingStream<DeploymentProgress, any Error>
    {
        var request = WaitForDeploymentRequest()
        request.workspace = workspace
        request.name = name
        request.showOutput = showOutput
        return AuthorizedServerStream<WaitForDeploymentRequest, DeploymentProgress, DeploymentProgress>(
            client: self, method: ModelGateMethods.Deployment.waitForDeployment, request: request, transform: { [$0] }
        ).elements
    }

    /// One web service, with its effective settings and replicas.
    public func service(workspace: String, name: String) async throws -> WebService {
        var request = GetServiceRequest()
        request.workspace = workspace
        request.name = name
        return try await self.authorizedUnary(ModelGateMethods.Deployment.getService, request)
    }

    /// A workspace's web services, ordered by name; the filters combine.
    ///
    /// - Parameters:
    ///   - computeTarget: only services on this compute target.
    ///   - modelName: only services serving a model of this name.
    ///   - states: only services in these states.
    ///   - tags: only services carrying all of these tags.
    public func services(
        workspace: String, computeTarget: String? = nil, modelName: String? = nil, states: [WebServiceState] = [],
        tags: [String: String] = [:]
    ) async throws -> [WebService] {
        var request = ListServicesRequest()
        request.workspace = workspace
        request.computeTarget = computeTarget ?? ""
        request.modelName = modelName ?? ""
        request.states = states
        request.tags = tags
        let response: ListServicesResponse = try await self.authorizedUnary(ModelGateMethods.Deployment.listServices, request)
        return response.services
    }

    /// Changes a web service, after Azure's `Webservice.update`; returns at once
    /// in state `TRANSITIONING`, and replicas are replaced without failing requests.
    ///
    /// Only the fields named in `updateMask` change: `"models"`,
    /// `"inference_config"`, or `"deployment_config.<field>"` such as
    /// `"deployment_config.autoscale_max_replicas"`. Follow the change with
    /// ``waitForDeployment(workspace:name:showOutput:)``.
    ///
    /// - Parameters:
    ///   - updateMask: the fields to change; empty changes every field given a non-default value.
    public func updateService(
        workspace: String, name: String, updateMask: [String], models: [String] = [], inferenceConfig: InferenceConfig? = nil,
        deploymentConfig: DeploymentConfig? = nil
    ) async throws -> WebService {
        var request = UpdateServiceRequest()
        request.workspace = workspace
        request.name = name
        request.updateMask = updateMask
        request.models = models
        request.inferenceConfig = inferenceConfig
        request.deploymentConfig = deploymentConfig
        return try await self.authorizedUnary(ModelGateMethods.Deployment.updateService, request)
    }

    /// Deletes a web service and stops its replicas, freeing their capacity.
    public func deleteService(workspace: String, name: String) async throws {
        var request = DeleteServiceRequest()
        request.workspace = workspace
        request.name = name
        let _: DeleteServiceResponse = try await self.authorizedUnary(ModelGateMethods.Deployment.deleteService, request)
    }

    /// The replicas' output, after Azure's `get_logs`: the last `tail` lines of
    /// each replica (all of them for 0), then, with `follow`, new lines as they
    /// are written until the caller stops iterating.
    ///
    /// - Parameters:
    ///   - tail: lines from the end of each replica's log; 0 for all.
    ///   - follow: keep the call open and yield new lines as they come.
    ///   - replicaID: only this replica's lines.
    ///   - sources: only lines from these outputs (stdout, stderr, ModelGate's own).
    public func logs(
        workspace: String, service: String, tail: Int = 0, follow: Bool = false, replicaID: String? = nil,
        sources: [LogSource] = []
    ) -> AsyncThrowingStream<LogLine, any Error> {
        var request = GetLogsRequest()
        request.workspace = workspace
        request.name = service
        request.tailLines = UInt32(clamping: max(0, tail))
        request.follow = follow
        request.replicaID = replicaID ?? ""
        request.sources = sources
        return AuthorizedServerStream<GetLogsRequest, GetLogsResponse, LogLine>(
            client: self, method: ModelGateMethods.Deployment.getLogs, request: request, transform: { $0.lines }
        ).elements
    }

    /// The model data collected for a service whose deployment has
    /// `collect_model_data` on: each scoring request and its answer, oldest
    /// first (versions one after the other), as the server keeps them.
    ///
    /// - Parameters:
    ///   - version: Only this version's records (`default` for a web service's); all when nil.
    ///   - since: Only requests that finished at or after this time; all when nil.
    ///   - limit: At most this many records; all when 0.
    public func collectedData(
        workspace: String, service: String, version: String? = nil, since: Date? = nil, limit: Int = 0
    ) -> AsyncThrowingStream<CollectedRecord, any Error> {
        var request = GetCollectedDataRequest()
        request.workspace = workspace
        request.name = service
        request.version = version ?? ""
        request.sinceUnixMs = since.map { max(0, Int64(($0.timeIntervalSince1970 * 1000).rounded(.down))) } ?? 0
        request.limit = UInt32(clamping: max(0, limit))
        return AuthorizedServerStream<GetCollectedDataRequest, GetCollectedDataResponse, CollectedRecord>(
            client: self, method: ModelGateMethods.Deployment.getCollectedData, request: request, transform: { $0.records }
        ).elements
    }

    // MARK: Keys

    /// A service's primary and secondary keys, after Azure's `get_keys`; both are valid at once.
    public func keys(workspace: String, service: String) async throws -> GetKeysResponse {
        var request = GetKeysRequest()
        request.workspace = workspace
        request.service = service
        return try await self.authorizedUnary(ModelGateMethods.Auth.getKeys, request)
    }

    /// Replaces one of a service's keys, after Azure's `regen_key`: the old value
    /// fails at once, the other key keeps working, so clients rotate without downtime.
    ///
    /// - Parameters:
    ///   - key: `.primary` or `.secondary`.
    ///   - value: the new value (Azure's `set_key`); `nil` generates a random one.
    /// - Returns: Both keys after the change.
    public func regenerateKey(workspace: String, service: String, key: KeyType, value: String? = nil) async throws -> RegenKeyResponse {
        var request = RegenKeyRequest()
        request.workspace = workspace
        request.service = service
        request.keyType = key
        request.keyValue = value ?? ""
        return try await self.authorizedUnary(ModelGateMethods.Auth.regenKey, request)
    }
}
