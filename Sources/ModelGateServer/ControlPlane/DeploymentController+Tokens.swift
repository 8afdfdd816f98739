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
}
