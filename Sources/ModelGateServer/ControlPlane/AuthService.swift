internal import Logging
internal import ModelGateAPI
public import ModelGateRPC

/// `modelgate.v1.AuthService`: key auth (`GetKeys`, `RegenKey`) and token
/// auth (`GetToken`, `GetSigningKeys`, through ``TokenService``).
///
/// Keys grant scoring, so reading or changing them needs Contributor, as
/// Azure's `listKeys` and `regenerateKeys` actions do. A token grants
/// scoring only until it expires, and Azure lets a Reader fetch one, so
/// `GetToken` needs Reader, as does reading the public keys.
public struct AuthService: Sendable {
    private let controller: DeploymentController
    private let authenticator: Authenticator
    private let tokens: TokenService

    init(controller: DeploymentController, authenticator: Authenticator, tokens: TokenService) {
        self.controller = controller
        self.authenticator = authenticator
        self.tokens = tokens
    }

    /// Adds this service's methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.authenticatedUnary(ModelGateMethods.Auth.getKeys, self.authenticator) { (request: GetKeysRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "read the keys of service '\(request.service)'")
            let keys = try await self.controller.keys(workspace: request.workspace, name: request.service)
            var response = GetKeysResponse()
            response.primaryKey = keys.primary
            response.secondaryKey = keys.secondary
            return response
        }
        router.authenticatedUnary(ModelGateMethods.Auth.regenKey, self.authenticator) { (request: RegenKeyRequest, caller, context) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "regenerate the keys of service '\(request.service)'")
            let keys = try await self.controller.regenerateKey(
                workspace: request.workspace, name: request.service, type: request.keyType, value: request.keyValue
            )
            context.logger.info("Regenerated a service key", metadata: [
                "workspace.name": "\(request.workspace)", "service.name": "\(request.service)",
                "key.type": "\(request.keyType == .primary ? "primary" : "secondary")",
            ])
            var response = RegenKeyResponse()
            response.primaryKey = keys.primary
            response.secondaryKey = keys.secondary
            return response
        }
        router.authenticatedUnary(ModelGateMethods.Auth.getToken, self.authenticator) { (request: GetTokenRequest, caller, context) in
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "fetch a token for service '\(request.service)'")
            return try await self.tokens.token(
                workspace: request.workspace, service: request.service, subject: caller.principal.clientID, logger: context.logger
            )
        }
        router.authenticatedUnary(ModelGateMethods.Auth.getSigningKeys, self.authenticator) { (request: GetSigningKeysRequest, caller, _) in
            // Published by the server, not the workspace's region: readable during an outage.
            try AccessPolicy.requireRole(.reader, on: request.workspace, caller, to: "read the signing keys of workspace '\(request.workspace)'")
            return try await self.tokens.signingKeys(workspace: request.workspace)
        }
    }
}
