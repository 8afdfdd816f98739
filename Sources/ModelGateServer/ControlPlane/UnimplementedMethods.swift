public import ModelGateAPI
public import ModelGateRPC
internal import ModelGateWire

/// Registers every schema method that has no handler yet, answering `UNIMPLEMENTED`.
///
/// The router would answer an unregistered name as an unknown method; a method
/// that exists in `proto/` but is not built yet should instead say so, so a
/// client can tell "wrong name" from "not yet".
public enum UnimplementedMethods {
    /// Fills the gaps in `router` for every method of `services`.
    public static func register(in router: inout RPCRouter, services: [ServiceDescriptor] = ModelGateSchema.services) {
        for service in services {
            for method in service.methods {
                let path = "/\(method.service)/\(method.name)"
                guard router.handlers[path] == nil else { continue }
                Self.register(path, method.inputType, method.outputType, method: method, in: &router)
            }
        }
    }

    /// The error every unimplemented method answers with.
    public static func error(for path: String) -> RPCError {
        let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
        return RPCError(code: .unimplemented, message: "\(name) is not implemented yet")
    }

    private static func register<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String, _ request: Request.Type, _ response: Response.Type, method: MethodDescriptor, in router: inout RPCRouter
    ) {
        let error = Self.error(for: path)
        switch (method.clientStreaming, method.serverStreaming) {
        case (false, false):
            router.unary(path) { (_: Request, _) -> Response in throw error }
        case (false, true):
            router.serverStreaming(path) { (_: Request, _, _: ResponseWriter<Response>) in throw error }
        case (true, false):
            router.clientStreaming(path) { (_: RequestStream<Request>, _) -> Response in throw error }
        case (true, true):
            router.bidirectional(path) { (_: RequestStream<Request>, _: ResponseWriter<Response>, _) in throw error }
        }
    }
}
