import Foundation
import ModelGateAPI
import ModelGateClient
import ModelGateRPC

/// `modelgate-bench split`: how closely an endpoint's traffic follows its
/// percentiles. Against a running server (tools/bench/split/run starts one), it
/// creates an endpoint of the echo script on an AKS target, sets up each of
/// the seed's controlled-rollout examples in turn, scores `requests` requests
/// unpinned, and prints per version the configured and expected share, the
/// observed share and its distance from the expected one in binomial standard
/// deviations, with the throughput and failures of each run.
struct SplitBenchmark: Sendable {
    var server: ServerAddress
    var credentials: Credentials
    var requests: Int
    var concurrency: Int
    var scriptDirectory: String

    /// One example: the versions' settings (name, percentile, default) and the share each should get.
    struct Scenario: Sendable {
        var title: String
        var versions: [(name: String, percentile: Float, isDefault: Bool)]
        var expected: [String: Double]
    }

    static let scenarios = [
        Scenario(
            title: "versionb 20 %, the rest to the default",
            versions: [("versiona", 20, true), ("versionb", 20, false)], expected: ["versiona": 80, "versionb": 20]),
        Scenario(
            title: "10 % + 30 %, 60 % left to the default",
            versions: [("versiona", 0, true), ("versionb", 10, false), ("versionc", 30, false)],
            expected: ["versiona": 60, "versionb": 10, "versionc": 30]),
        Scenario(
            title: "versionb 40 % and the new default: it takes the remainder",
            versions: [("versiona", 20, false), ("versionb", 40, true), ("versionc", 0, false)],
            expected: ["versiona": 20, "versionb": 80, "versionc": 0]),
    ]

    func run() async throws {
        let client = try await ModelGateClient.connect(to: self.server, credentials: self.credentials)
        defer { Task { await client.close() } }
        let workspace = "bench-split"
        let endpoint = "split"
        _ = try await client.createWorkspace(name: workspace, region: "westeurope")
        _ = try await client.attachCompute(workspace: workspace, name: "split-aks", cpuCores: 4, memoryGB: 8)
        var inference = InferenceConfig()
        inference.entryScript = "score.py"
        inference.sourceArchive = try SourceArchive.pack(directory: self.scriptDirectory).bytes
        var config = DeploymentConfig()
        config.computeType = .aks
        config.computeTargetName = "split-aks"
        config.numReplicas = 3
        config.autoscaleEnabled = .disabled

        var table: [String] = []
        var created: Set<String> = []
        for scenario in Self.scenarios {
            Benchmark.log("split: \(scenario.title)")
            // Make the versions: the first creates the endpoint; defaults first so no default is ever unmarked.
            for version in scenario.versions.sorted(by: { $0.isDefault && !$1.isDefault }) {
                var message = EndpointVersion()
                message.name = version.name
                message.trafficPercentile = version.percentile
                message.isDefault = version.isDefault
                if created.isEmpty {
                    message.inferenceConfig = inference
                    _ = try await client.createEndpoint(workspace: workspace, name: endpoint, deploymentConfig: config, version: message)
                } else if created.contains(version.name) {
                    _ = try await client.updateEndpointVersion(
                        workspace: workspace, endpoint: endpoint, version: message,
                        updateMask: ["traffic_percentile"] + (version.isDefault ? ["is_default"] : []))
                } else {
                    message.inferenceConfig = inference
                    _ = try await client.createEndpointVersion(workspace: workspace, endpoint: endpoint, version: message)
                }
                created.insert(version.name)
            }
            for try await event in client.waitForDeployment(workspace: workspace, name: endpoint) where event.final {
                guard event.state == .healthy else { throw BenchError("endpoint ended \(event.state): \(event.message)") }
            }
            let key = try await client.keys(workspace: workspace, service: endpoint).primaryKey
            let (counts, failures, seconds) = try await self.score(client, workspace: workspace, endpoint: endpoint, key: key)
            let served = counts.values.reduce(0, +)
            table.append("\n\(scenario.title): \(served) requests in \(String(format: "%.2f", seconds)) s "
                + "(\(Int(Double(served) / seconds)) req/s, \(self.concurrency) at a time), \(failures) failed")
            table.append("  version    configured  expected  observed  count   deviation")
            for version in scenario.versions {
                let expected = scenario.expected[version.name, default: 0]
                let count = counts[version.name, default: 0]
                let observed = Double(count) / Double(max(1, served)) * 100
                let p = expected / 100
                let sigma = (Double(served) * p * (1 - p)).squareRoot()
                let deviation = sigma > 0 ? (Double(count) - Double(served) * p) / sigma : (count == 0 ? 0 : .infinity)
                table.append(String(
                    format: "  %-10@ %9.1f%% %8.1f%% %8.2f%% %6d  %+6.2f σ",
                    version.name as NSString, Double(version.percentile), expected, observed, count, deviation))
            }
        }
        try await client.deleteEndpoint(workspace: workspace, name: endpoint)
        print("Traffic split, \(self.requests) unpinned requests per example (deviation: observed − expected in binomial σ)")
        for line in table { print(line) }
    }

    /// Scores `requests` requests, `concurrency` at a time; counts the versions that served.
    private func score(
        _ client: ModelGateClient, workspace: String, endpoint: String, key: String
    ) async throws -> ([String: Int], Int, Double) {
        let body = Array(#"{"data": [1, 2, 3]}"#.utf8)
        let started = ContinuousClock.now
        let (counts, failures) = try await withThrowingTaskGroup(of: ([String: Int], Int).self) { group in
            for worker in 0..<self.concurrency {
                let share = self.requests / self.concurrency + (worker < self.requests % self.concurrency ? 1 : 0)
                group.addTask {
                    var counts: [String: Int] = [:]
                    var failures = 0
                    for _ in 0..<share {
                        do {
                            let answer = try await client.score(workspace: workspace, service: endpoint, body: body, key: key)
                            counts[answer.version, default: 0] += 1
                        } catch {
                            failures += 1
                        }
                    }
                    return (counts, failures)
                }
            }
            var total: ([String: Int], Int) = ([:], 0)
            for try await (counts, failures) in group {
                total.0.merge(counts, uniquingKeysWith: +)
                total.1 += failures
            }
            return total
        }
        let elapsed = ContinuousClock.now - started
        return (counts, failures, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
