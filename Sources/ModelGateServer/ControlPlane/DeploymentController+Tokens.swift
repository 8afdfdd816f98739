internal import ModelGateAPI

extension DeploymentController {
    /// A token-auth service's scoring auth: its tokens verified locally
    /// against the workspace's public keys.
    func tokenAuth(for record: ServiceRecord) -> ScoringAuth {
        .token(TokenAuthenticator(
            workspace: record.workspace, service: record.name, keys: self.dependencies.tokenKeys,
            clock: self.dependencies.clock, clockSkew: self.dependencies.tokenClockSkew
        ))
    }

    /// The service `GetToken` issues a token for.
    ///
    /// - Parameter workspace: The workspace's name as stored.
    /// - Throws: `NOT_FOUND` for an unknown service, `FAILED_PRECONDITION`
    ///   naming the service when it does not use token auth.
    func tokenAuthService(workspace: String, name: String) throws(RPCError) -> ServiceRecord {
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "service is required") }
        if let endpoint = self.endpoints[Self.key(workspace: workspace, name: name)] {
            return try Self.tokenAuthEndpoint(endpoint.record)
        }
        guard let tracked = self.services[Self.key(workspace: workspace, name: name)] else {
            throw RPCError(code: .notFound, message: "service '\(name)' does not exist in workspace '\(workspace)'")
        }
        let config = tracked.record.deploymentConfig
        guard config.tokenAuthEnabled == .enabled else {
            let instead = config.authEnabled == .enabled ? "it uses key auth: use its keys (GetKeys)" : "it needs no credentials"
            throw RPCError(
                code: .failedPrecondition,
                message: "service '\(tracked.record.name)' does not have token auth enabled (token_auth_enabled); \(instead)"
            )
        }
        return tracked.record
    }

    /// An endpoint with token auth, as the record `GetToken` needs (its
    /// workspace, name and cluster): endpoints and services share one name space.
    private static func tokenAuthEndpoint(_ endpoint: EndpointRecord) throws(RPCError) -> ServiceRecord {
        let config = endpoint.deploymentConfig
        guard config.tokenAuthEnabled == .enabled else {
            let instead = config.authEnabled == .enabled ? "it uses key auth: use its keys (GetKeys)" : "it needs no credentials"
            throw RPCError(
                code: .failedPrecondition,
                message: "endpoint '\(endpoint.name)' does not have token auth enabled (token_auth_enabled); \(instead)"
            )
        }
        return ServiceRecord(
            workspace: endpoint.workspace, name: endpoint.name, models: [], inferenceConfig: InferenceConfig(),
            deploymentConfig: config, primaryKey: "", secondaryKey: "", generation: endpoint.generation,
            createdBy: endpoint.createdBy, createdAt: endpoint.createdAt, updatedAt: endpoint.updatedAt
        )
    }
}
