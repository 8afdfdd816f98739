internal import Logging
internal import ModelGateRPC
internal import ModelGateWire

extension RPCRouter {
    /// Registers a unary call that first authenticates the caller's access token.
    ///
    /// The token is checked before the handler runs, so an unauthenticated
    /// caller learns nothing about the resource (not even whether it exists).
    ///
    /// A ``WorkspaceScopedRequest`` for a workspace in a downed region is
    /// refused with `UNAVAILABLE` here, from memory, before the handler reads
    /// the database; only for callers with a role there, so that others still
    /// get the handler's `PERMISSION_DENIED` and learn nothing.
    mutating func authenticatedUnary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String,
        _ authenticator: Authenticator,
        _ handler: @escaping @Sendable (Request, AuthenticatedCaller, ServerCallContext) async throws -> Response
    ) {
        self.publicUnary(method) { (request: Request, context: ServerCallContext) in
            let caller = try await authenticator.authenticate(metadata: context.metadata)
            if let scoped = request as? any WorkspaceScopedRequest, caller.role(on: scoped.workspaceName) != nil,
               let region = caller.regions.region(ofWorkspace: scoped.workspaceName)
            {
                try caller.regions.requireAvailable(region, for: scoped.regionalService)
            }
            var context = context
            context.logger[metadataKey: "principal.client_id"] = "\(caller.principal.clientID)"
            return try await handler(request, caller, context)
        }
    }

    /// Registers a unary call that needs no token (`SignIn`, `Health`).
    ///
    /// Like ``authenticatedUnary(_:_:_:)`` it logs storage failures: the
    /// transport sends their fixed wire message and would otherwise drop
    /// SQLite's own account of what went wrong.
    mutating func publicUnary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String,
        _ handler: @escaping @Sendable (Request, ServerCallContext) async throws -> Response
    ) {
        self.unary(method) { (request: Request, context: ServerCallContext) in
            do {
                return try await handler(request, context)
            } catch let error as DatabaseError {
                context.logger.error("Storage failure", metadata: [
                    "db.result_code": "\(error.extendedResultCode)", "error": "\(error)",
                ])
                throw error
            }
        }
    }
}
