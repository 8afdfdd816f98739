internal import Logging
internal import ModelGateRPC
internal import ModelGateWire

extension RPCRouter {
    /// Registers a unary call that first authenticates the caller's access token.
    ///
    /// The token is checked before the handler runs, so an unauthenticated
    /// caller learns nothing about the resource (not even whether it exists).
    mutating func authenticatedUnary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String,
        _ authenticator: Authenticator,
        _ handler: @escaping @Sendable (Request, AuthenticatedCaller, ServerCallContext) async throws -> Response
    ) {
        self.unary(method) { (request: Request, context: ServerCallContext) in
            let caller = try await authenticator.authenticate(metadata: context.metadata)
            var context = context
            context.logger[metadataKey: "principal.client_id"] = "\(caller.principal.clientID)"
            return try await handler(request, caller, context)
        }
    }
}
