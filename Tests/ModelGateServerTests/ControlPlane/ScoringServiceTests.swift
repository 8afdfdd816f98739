import Foundation
import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("ScoringService.Health")
struct ScoringServiceTests {
    let clock = ManualClock()

    @Test("The server reports SERVING with its version, uptime and clock skew")
    func healthReportsServing() throws {
        let service = ScoringService(version: "9.9.9", startedAt: .now - .seconds(5), clock: self.clock.wallClock)
        var request = HealthRequest()
        request.clientTimeUnixMs = Int64(self.clock.now.timeIntervalSince1970 * 1000) - 1500

        let response = try service.health(request)

        #expect(response.status == .serving)
        #expect(response.serverVersion == "9.9.9")
        #expect(response.uptimeMs >= 5000)
        #expect(response.clockSkewMs == 1500)
    }

    @Test("Naming an RPC service is fine; an unknown name is NOT_FOUND")
    func healthOfNamedService() throws {
        let service = ScoringService(version: "1", startedAt: .now, clock: self.clock.wallClock)
        var request = HealthRequest()
        request.serviceName = "modelgate.v1.WorkspaceService"
        #expect(try service.health(request).status == .serving)
        request.serviceName = "prod/iris"
        let error = #expect(throws: RPCError.self) { try service.health(request) }
        #expect(error?.code == .notFound)
    }
}
