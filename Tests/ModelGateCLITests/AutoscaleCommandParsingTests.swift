import ArgumentParser
@testable import ModelGateCLI
import Testing

@Suite("Autoscaling command lines")
struct AutoscaleCommandParsingTests {
    @Test("service replicas-needed parses the seed's four inputs")
    func replicasNeededParses() throws {
        // Given the seed's inputs, When parsed
        let command = try #require(
            try ModelGateCommand.parseAsRoot([
                "service", "replicas-needed", "--rps", "100", "--request-time", "0.1", "--target-utilization", "70", "--max-concurrent", "1",
            ]) as? ServiceCommand.ReplicasNeeded
        )
        // Then the values arrive as given
        #expect(command.rps == 100 && command.requestTime == 0.1 && command.targetUtilization == 70 && command.maxConcurrent == 1)
    }

    @Test("service replicas-needed refuses a bad value with a message naming it")
    func replicasNeededRefusesBadValues() {
        #expect {
            try ModelGateCommand.parseAsRoot(["service", "replicas-needed", "--rps", "10", "--request-time", "0"])
        } throws: { error in
            ModelGateCommand.message(for: error).contains("request time")
        }
    }

    @Test("serve takes --metrics-listen and the autoscaler's delays, and refuses a bad address")
    func serveFlags() throws {
        let serve = try #require(
            try ModelGateCommand.parseAsRoot([
                "serve", "--metrics-listen", "127.0.0.1:9464", "--autoscale-scale-down-delay", "5", "--autoscale-scale-up-delay", "0.5",
            ]) as? Serve
        )
        #expect(serve.metricsListen == "127.0.0.1:9464" && serve.autoscaleScaleDownDelay == 5 && serve.autoscaleScaleUpDelay == 0.5)
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(["serve", "--metrics-listen", "nowhere"]) }
    }
}
