public import ModelGateAPI
internal import ModelGateRPC

/// Endpoints (AKS only), after Azure's `AksEndpoint`: up to six versions
/// behind one name with traffic split by `traffic_percentile`, what the
/// percentiles leave over going to the default version.
///
/// An endpoint shares its name space with web services, so
/// ``waitForDeployment(workspace:name:showOutput:)``, ``logs(workspace:service:tail:follow:replicaID:sources:)``,
/// ``keys(workspace:service:)`` and ``score(workspace:service:body:key:timeout:headers:contentType:version:)``
/// take an endpoint's name too.
///
/// ```swift
/// var first = EndpointVersion()
/// first.name = "versiona"
/// first.trafficPercentile = 20
/// first.models = ["linreg:1"]
/// first.inferenceConfig = inference
/// _ = try await client.createEndpoint(workspace: "ml-prod", name: "linreg-ep", deploymentConfig: aks, version: first)
/// var second = first
/// second.name = "versionb"
/// second.trafficPercentile = 10
/// _ = try await client.createEndpointVersion(workspace: "ml-prod", endpoint: "linreg-ep", version: second)
/// ```
extension ModelGateClient {
    /// Creates an endpoint with its first version (the default); returns at once in state `TRANSITIONING`.
    public func createEndpoint(
        workspace: String, name: String, deploymentConfig: DeploymentConfig, version: EndpointVersion, description: String = "",
        tags: [String: String] = [:]
    ) async throws -> Endpoint {
        var request = CreateEndpointRequest()
        request.workspace = workspace
        request.name = name
        request.deploymentConfig = deploymentConfig
        request.version = version
        request.description = description
        request.tags = tags
        return try await self.authorizedUnary(ModelGateMethods.Deployment.createEndpoint, request)
    }

    /// One endpoint with its versions, their effective traffic shares and replicas.
    public func endpoint(workspace: String, name: String) async throws -> Endpoint {
        var request = GetEndpointRequest()
        request.workspace = workspace
        request.name = name
        return try await self.authorizedUnary(ModelGateMethods.Deployment.getEndpoint, request)
    }

    /// A workspace's endpoints, ordered by name.
    public func endpoints(workspace: String, computeTarget: String? = nil) async throws -> [Endpoint] {
        var request = ListEndpointsRequest()
        request.workspace = workspace
        request.computeTarget = computeTarget ?? ""
        let response: ListEndpointsResponse = try await self.authorizedUnary(ModelGateMethods.Deployment.listEndpoints, request)
        return response.endpoints
    }

    /// Changes endpoint-wide settings (auth, autoscaling), the description or the tags.
    public func updateEndpoint(
        workspace: String, name: String, updateMask: [String] = [], deploymentConfig: DeploymentConfig? = nil,
        description: String = "", tags: [String: String] = [:]
    ) async throws -> Endpoint {
        var request = UpdateEndpointRequest()
        request.workspace = workspace
        request.name = name
        request.updateMask = updateMask
        request.deploymentConfig = deploymentConfig
        request.description = description
        request.tags = tags
        return try await self.authorizedUnary(ModelGateMethods.Deployment.updateEndpoint, request)
    }

    /// Deletes an endpoint with all its versions.
    public func deleteEndpoint(workspace: String, name: String) async throws {
        var request = DeleteEndpointRequest()
        request.workspace = workspace
        request.name = name
        let _: DeleteEndpointResponse = try await self.authorizedUnary(ModelGateMethods.Deployment.deleteEndpoint, request)
    }

    /// Adds a version, after `AksEndpoint.create_version`; it takes traffic once ready.
    public func createEndpointVersion(workspace: String, endpoint: String, version: EndpointVersion) async throws -> Endpoint {
        var request = CreateEndpointVersionRequest()
        request.workspace = workspace
        request.endpoint = endpoint
        request.version = version
        return try await self.authorizedUnary(ModelGateMethods.Deployment.createEndpointVersion, request)
    }

    /// Changes a version, after `AksEndpoint.update_version`. `version.name` says which.
    ///
    /// - Parameter updateMask: the fields of `version` to set (`"traffic_percentile"`,
    ///   `"is_default"`, `"version_type"`, `"models"`, `"inference_config"`, `"deployment_config"`,
    ///   `"description"`, `"tags"`); empty sets every field given a non-default value.
    public func updateEndpointVersion(
        workspace: String, endpoint: String, version: EndpointVersion, updateMask: [String] = []
    ) async throws -> Endpoint {
        var request = UpdateEndpointVersionRequest()
        request.workspace = workspace
        request.endpoint = endpoint
        request.version = version
        request.updateMask = updateMask
        return try await self.authorizedUnary(ModelGateMethods.Deployment.updateEndpointVersion, request)
    }

    /// Removes a version, after `AksEndpoint.delete_version`; its traffic moves to the others.
    public func deleteEndpointVersion(workspace: String, endpoint: String, version: String) async throws -> Endpoint {
        var request = DeleteEndpointVersionRequest()
        request.workspace = workspace
        request.endpoint = endpoint
        request.version = version
        return try await self.authorizedUnary(ModelGateMethods.Deployment.deleteEndpointVersion, request)
    }
}
