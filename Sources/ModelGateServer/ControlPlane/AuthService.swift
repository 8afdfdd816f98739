internal import Logging
internal import ModelGateAPI
public import ModelGateRPC

/// `modelgate.v1.AuthService` for key auth: `GetKeys` and `RegenKey`.
/// Token methods answer `UNIMPLEMENTED` through ``UnimplementedMethods`` until
/// token auth is built.
///
/// Keys grant scoring, so reading or changing them needs Contributor, as
/// Azure's `listKeys` and `regenerateKeys` actions do.
public struct AuthService: Sendable {
    private let controller: DeploymentController
    private let authenticator: Authenticator

    init(controller: DeploymentController, authenticator: Authenticator) {
        self.controller = controller
        self.authenticator = authenticator
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
    }
}
