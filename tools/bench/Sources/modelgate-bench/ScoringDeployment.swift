import ModelGateAPI
import ModelGateRPC

/// The control-plane calls the scoring benchmark makes: Deploy,
/// WaitForDeployment, GetKeys and DeleteService, sent raw on an
/// ``RPCClient`` with the Owner's access token (the client library's deploy
/// helpers are not needed for this).
struct ScoringDeployment: Sendable {
    let client: RPCClient
    let accessToken: String
    let workspace: String

    private var metadata: [String: String] { ["authorization": "Bearer \(self.accessToken)"] }

    /// Deploys `archive` (a gzip tar of the source folder) as service `name`
    /// on the AKS target `compute` with `replicas` fixed replicas and key
    /// auth, then follows its progress until it is final.
    ///
    /// - Parameters:
    ///   - model: `name:version`, or nil to deploy without a model.
    ///   - collectModelData: `collect_model_data` (the `collect` mode's switch).
    /// - Returns: the primary key.
    func deploy(
        name: String, model: String?, archive: [UInt8], entryScript: String, compute: String, replicas: Int,
        collectModelData: Bool = false
    ) async throws -> String {
        var inference = InferenceConfig()
        inference.entryScript = entryScript
        inference.sourceArchive = archive
        inference.sourceDirectory = "tools/bench/scoring"
        var config = DeploymentConfig()
        config.computeType = .aks
        config.computeTargetName = compute
        config.cpuCores = 1
        config.memoryGb = 0.5
        config.numReplicas = UInt32(replicas)
        config.autoscaleEnabled = .disabled
        config.authEnabled = .enabled
        config.collectModelData = collectModelData
        var request = DeployRequest()
        request.workspace = self.workspace
        request.name = name
        request.models = model.map { [$0] } ?? []
        request.inferenceConfig = inference
        request.deploymentConfig = config
        request.overwrite = true
        let _: DeployResponse = try await self.client.unary(ModelGateMethods.Deployment.deploy, request, metadata: self.metadata)

        var wait = WaitForDeploymentRequest()
        wait.workspace = self.workspace
        wait.name = name
        var last = DeploymentProgress()
        let progress: AsyncThrowingStream<DeploymentProgress, any Error> = self.client.serverStreaming(
            ModelGateMethods.Deployment.waitForDeployment, wait, metadata: self.metadata)
        for try await step in progress {
            Benchmark.log("  \(name): \(step.message)")
            last = step
            if step.final { break }
        }
        guard last.state == .healthy else {
            throw BenchError("service '\(name)' ended \(last.state) rather than Healthy: \(last.message)")
        }

        var keys = GetKeysRequest()
        keys.workspace = self.workspace
        keys.service = name
        let answer: GetKeysResponse = try await self.client.unary(ModelGateMethods.Auth.getKeys, keys, metadata: self.metadata)
        return answer.primaryKey
    }

    /// Deletes a service, stopping its replicas; failures are only reported.
    func delete(name: String) async {
        var request = DeleteServiceRequest()
        request.workspace = self.workspace
        request.name = name
        do {
            let _: DeleteServiceResponse = try await self.client.unary(
                ModelGateMethods.Deployment.deleteService, request, metadata: self.metadata)
        } catch {
            Benchmark.log("  deleting \(name): \(error)")
        }
    }
}
