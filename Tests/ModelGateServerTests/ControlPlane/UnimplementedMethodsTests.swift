import ModelGateAPI
import ModelGateRPC
@testable import ModelGateServer
import Testing

@Suite("UnimplementedMethods")
struct UnimplementedMethodsTests {
    @Test("Every schema method gets a handler of its kind, and existing handlers are kept")
    func everySchemaMethodIsRegistered() throws {
        var router = RPCRouter()
        router.unary(ModelGateMethods.Scoring.health) { (_: HealthRequest, _) in HealthResponse() }

        UnimplementedMethods.register(in: &router)

        let methods = ModelGateSchema.services.flatMap(\.methods)
        #expect(Set(router.handlers.keys) == Set(methods.map { "/\($0.service)/\($0.name)" }))
        for method in methods {
            let handler = try #require(router.handlers["/\(method.service)/\(method.name)"])
            switch (method.clientStreaming, method.serverStreaming) {
            case (false, false): #expect(handler.kind == .unary)
            case (false, true): #expect(handler.kind == .serverStreaming)
            case (true, false): #expect(handler.kind == .clientStreaming)
            case (true, true): #expect(handler.kind == .bidirectional)
            }
        }
    }

    @Test("The answer is UNIMPLEMENTED naming the method")
    func errorNamesTheMethod() {
        let error = UnimplementedMethods.error(for: ModelGateMethods.Workspace.attachCompute)
        #expect(error.code == .unimplemented)
        #expect(error.message == "modelgate.v1.WorkspaceService/AttachCompute is not implemented yet")
    }
}
