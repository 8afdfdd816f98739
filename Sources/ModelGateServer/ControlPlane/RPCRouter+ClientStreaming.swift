internal import Logging
internal import ModelGateRPC
internal import ModelGateWire

extension RPCRouter {
    /// Registers a client-streaming call that first authenticates the caller's
    /// access token, before reading any request message.
    ///
    /// Storage failures are logged as ``publicUnary(_:_:)`` does.
    mutating func authenticatedClientStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String,
        _ authenticator: Authenticator,
        _ handler: @escaping @Sendable (RequestStream<Request>, AuthenticatedCaller, ServerCallContext) async throws -> Response
    ) {
        self.clientStreaming(method) { (requests: RequestStream<Request>, context: ServerCallContext) in
            let caller = try await authenticator.authenticate(metadata: context.metadata)
            var context = context
            context.logger[metadataKey: "principal.client_id"] = "\(caller.principal.clientID)"
            do {
                return try await handler(requests, caller, context)
            } catch let error as DatabaseError {
                context.logger.error("Storage failure", metadata: [
                    "db.result_code": "\(error.extendedResultCode)", "error": "\(error)",
                ])
                throw error
            }
        }
    }
}
