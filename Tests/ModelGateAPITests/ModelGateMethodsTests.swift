import ModelGateAPI
import ModelGateWire
import Testing

/// The method-path constants and the schema's method table agree.
@Suite("Method paths")
struct ModelGateMethodsTests {
    @Test("Each constant names a method of the schema with the right streaming shape", arguments: [
        (ModelGateMethods.Identity.signIn, false, false),
        (ModelGateMethods.Workspace.createWorkspace, false, false),
        (ModelGateMethods.Workspace.setRegionAvailability, false, false),
        (ModelGateMethods.Model.registerModel, true, false),
        (ModelGateMethods.Deployment.waitForDeployment, false, true),
        (ModelGateMethods.Deployment.getLogs, false, true),
        (ModelGateMethods.Deployment.getCollectedData, false, true),
        (ModelGateMethods.Deployment.deleteEndpointVersion, false, false),
        (ModelGateMethods.Auth.getToken, false, false),
        (ModelGateMethods.Scoring.health, false, false),
        (ModelGateMethods.Scoring.score, false, false),
        (ModelGateMethods.Scoring.scoreStream, true, true),
    ])
    func constantMatchesSchema(path: String, clientStreaming: Bool, serverStreaming: Bool) throws {
        let method = try #require(ModelGateSchema.method(forPath: path))
        #expect(method.path == path)
        #expect(method.clientStreaming == clientStreaming)
        #expect(method.serverStreaming == serverStreaming)
    }

    @Test("Every method path is unique and every message type is listed once")
    func schemaListsAreConsistent() {
        let methods = ModelGateSchema.services.flatMap(\.methods)
        #expect(Set(methods.map(\.path)).count == methods.count)
        let serviceNames = Set(ModelGateSchema.services.map(\.name))
        #expect(methods.allSatisfy { serviceNames.contains($0.service) })
        let messageNames = ModelGateSchema.messages.map { $0.protoName }
        #expect(Set(messageNames).count == messageNames.count)
        let enumNames = ModelGateSchema.enums.map { $0.protoName }
        #expect(Set(enumNames).count == enumNames.count)
        for method in methods {
            #expect(messageNames.contains(method.inputType.protoName), "\(method.path) input not listed")
            #expect(messageNames.contains(method.outputType.protoName), "\(method.path) output not listed")
        }
    }

    @Test("Unknown paths find no method")
    func unknownPathFindsNothing() {
        #expect(ModelGateSchema.method(forPath: "/modelgate.v1.Workspace/GetWorkspace") == nil)
    }
}
