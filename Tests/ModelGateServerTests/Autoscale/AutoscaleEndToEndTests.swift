import Foundation
import ModelGateAPI
@testable import ModelGateServer
import Synchronization
import Testing

/// The autoscaler, scale to zero, probes and `/metrics`, over the wire: a real
/// server, real replica processes running `sleepy.py`, callers scoring through
/// the RPC client. Delays are short (server settings) so the tests run fast.
@Suite("Autoscaling end to end")
struct AutoscaleEndToEndTests {
    static func autoscaled(min: UInt32 = 1, max: UInt32 = 4, target: String = "aks1") -> DeploymentConfig {
        var config = DeploymentConfig()
        config.computeType = .aks
        config.computeTargetName = target
        config.autoscaleEnabled = .enabled
        config.autoscaleMinReplicas = min
        config.autoscaleMaxReplicas = max
        config.maxRequestWaitTimeMs = 200
        return config
    }

    static func fastAutoscaling(_ configuration: inout ServerConfiguration, coolDown: Duration = .seconds(3)) {
        configuration.autoscaleScaleDownDelay = coolDown
        configuration.autoscaleRefresh = .milliseconds(200)
    }

    /// Polls `condition` every 50 ms; returns when it first held, or fails after `timeout` (only a hang reaches it).
    @discardableResult
    static func waitUntil(
        _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
    ) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return .now }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(what)")
        throw CancellationError()
    }

    static func pool(_ server: RunningServer, _ name: String) throws -> ReplicaPool {
        try #require(server.app.servingRegistry.entry(workspace: "prod", service: name)?.pool)
    }

    static func logText(_ server: RunningServer, _ name: String) async throws -> String {
        try await server.app.deployments.logs(workspace: "prod", name: name).tail(10_000).map(\.text).joined(separator: "\n")
    }

    /// `callers` tasks scoring `seconds`-long requests until `until`; failures (queue full) are ignored.
    static func load(
        _ deployments: Deployments, _ name: String, key: String, callers: Int, seconds: String, until: ContinuousClock.Instant
    ) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    while ContinuousClock.now < until {
                        _ = try? await deployments.score(name, seconds, key: key)
                    }
                }
            }
        }
    }

    @Test("A load step scales up within 2 s; the pool scales down only after the cool-down")
    func loadStepScalesUpThenDown() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path, configure: { Self.fastAutoscaling(&$0) }) { server in
            // Given an autoscaled service (1...4 replicas) at rest
            let deployments = try await Deployments.prepare(server)
            try await deployments.attachCompute("aks1", cores: 4, memoryGB: 16)
            try await deployments.deployAndWait("sleepy", archive: try Deployments.archive(script: "sleepy.py"), config: Self.autoscaled())
            let key = try await deployments.keys("sleepy").primaryKey
            let pool = try Self.pool(server, "sleepy")
            #expect(pool.snapshot.desiredReplicas == 1)

            // When 4 callers keep it busy for 4 s
            let stepAt = ContinuousClock.now
            let loadEnd = stepAt + .seconds(4)
            async let loading: Void = Self.load(deployments, "sleepy", key: key, callers: 4, seconds: "0.2", until: loadEnd)
            let decidedAt = try await Self.waitUntil("the autoscaler adds replicas") { pool.snapshot.desiredReplicas >= 2 }
            try await Self.waitUntil("new replicas serve") { pool.snapshot.readyReplicas >= 2 }
            await loading

            // Then the decision came within 2 s of the step
            #expect(decidedAt - stepAt < .seconds(2), "scale-up decided \(decidedAt - stepAt) after the load step")
            // And it scales back to 1 only after the 3 s cool-down. The cool-down
            // counts from the last sample above the target, which may come
            // before the load ends (callers between requests leave replicas
            // idle), but never before the scale-up decision, whose sample was above it.
            let scaledDownAt = try await Self.waitUntil("the pool scales down") { pool.snapshot.desiredReplicas == 1 }
            #expect(scaledDownAt - decidedAt >= .seconds(3), "scaled down \(scaledDownAt - decidedAt) after the scale-up decision")
            let log = try await Self.logText(server, "sleepy")
            #expect(log.contains("autoscaler: scaling up from 1 to"), "\(log)")
            #expect(log.contains("autoscaler: scaling down from"), "\(log)")
        }
    }

    @Test("The compute target's capacity stops growth, and the service says why")
    func capacityStopsGrowth() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path, configure: { Self.fastAutoscaling(&$0) }) { server in
            // Given a cluster with room for 3 replicas of 0.1 cores, and a service allowed 10
            let deployments = try await Deployments.prepare(server)
            try await deployments.attachCompute("aks1", cores: 0.3, memoryGB: 16)
            try await deployments.deployAndWait(
                "sleepy", archive: try Deployments.archive(script: "sleepy.py"), config: Self.autoscaled(max: 10)
            )
            let key = try await deployments.keys("sleepy").primaryKey
            let pool = try Self.pool(server, "sleepy")

            // When 8 callers load it
            let until = ContinuousClock.now + .seconds(30)
            let stop = StopFlag()
            async let loading: Void = withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        while ContinuousClock.now < until, !stop.isSet {
                            _ = try? await deployments.score("sleepy", "0.2", key: key)
                        }
                    }
                }
            }
            // Then it grows to 3 and no further, and GetService says why
            var service = WebService()
            try await Self.waitUntil("GetService reports the capacity limit") {
                service = try await deployments.service("sleepy")
                return service.error.contains("has room for 3 (cpu)") && service.state == .healthy
            }
            stop.set()
            await loading
            #expect(service.error.contains("compute target 'aks1'"), "\(service.error)")
            #expect(service.state == .healthy)
            #expect(pool.snapshot.desiredReplicas == 3)
            let log = try await Self.logText(server, "sleepy")
            #expect(log.contains("has room for 3 (cpu); staying at 3"), "\(log)")
        }
    }

    @Test("An endpoint's autoscaler grows its one shared pool under load and divides it among the versions by traffic")
    func endpointPoolScales() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path, configure: { Self.fastAutoscaling(&$0) }) { server in
            // Given an endpoint of two versions taking half the traffic each, autoscaled 2...6
            let deployments = try await Deployments.prepare(server)
            try await deployments.attachCompute("aks1", cores: 4, memoryGB: 16)
            let calls = EndpointEndToEndTests.Calls(deployments: deployments, archive: try Deployments.archive(script: "sleepy.py"))
            var config = Self.autoscaled(min: 2, max: 6)
            config.maxRequestWaitTimeMs = 30_000
            try await calls.create("shared", first: calls.version("va", percentile: 50), config: config)
            try await calls.createVersion("shared", calls.version("vb", percentile: 50))
            _ = try await calls.waitHealthy("shared")
            let key = try await deployments.keys("shared").primaryKey
            let endpoint = try #require(server.app.servingRegistry.entry(workspace: "prod", service: "shared")?.endpoint)
            try await Self.waitUntil("both versions serve") { endpoint.table.routes.count == 2 }
            #expect(endpoint.load.desiredReplicas == 2)

            // When 8 callers keep it busy
            let stop = StopFlag()
            let until = ContinuousClock.now + .seconds(30)
            async let loading: Void = withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        while ContinuousClock.now < until, !stop.isSet {
                            _ = try? await calls.score("shared", key: key, body: "0.2")
                        }
                    }
                }
            }

            // Then the endpoint as a whole grows, and each version gets a share of the new replicas
            try await Self.waitUntil("the endpoint's pool grows to 4 or more") { endpoint.load.desiredReplicas >= 4 }
            stop.set()
            await loading
            let perVersion = endpoint.table.routes.map { $0.pool.load.desiredReplicas }
            #expect(perVersion.count == 2 && perVersion.allSatisfy { $0 >= 2 }, "replicas per version: \(perVersion)")
            let log = try await Self.logText(server, "shared")
            #expect(log.contains("autoscaler: scaling up from 2 to"), "\(log)")

            // And an endpoint cannot ask to scale to zero: its pool keeps a replica per version
            var zero = Self.autoscaled(min: 0, max: 6)
            zero.autoscaleScaleToZero = .enabled
            let refused = await rpcError { try await calls.create("zeroed", first: calls.version("va"), config: zero) }
            #expect(refused?.code == .invalidArgument && refused?.message.contains("cannot scale to zero") == true, "\(String(describing: refused))")
        }
    }

    @Test("An idle service scales to zero, reads Healthy, and the next request starts a replica and waits for it")
    func scalesToZeroAndColdStarts() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path, configure: { Self.fastAutoscaling(&$0, coolDown: .seconds(1)) }) { server in
            // Given a service that scales to zero after 1 s idle
            let deployments = try await Deployments.prepare(server)
            try await deployments.attachCompute("aks1", cores: 4, memoryGB: 16)
            var config = Self.autoscaled()
            config.autoscaleMinReplicas = 0
            config.autoscaleScaleToZero = .enabled
            try await deployments.deployAndWait("sleepy", archive: try Deployments.archive(script: "sleepy.py"), config: config)
            let key = try await deployments.keys("sleepy").primaryKey
            let pool = try Self.pool(server, "sleepy")
            #expect(try await deployments.service("sleepy").deploymentConfig?.autoscaleMinReplicas == 0)

            // When it has been idle for the cool-down
            try await Self.waitUntil("the pool scales to zero") { pool.snapshot.desiredReplicas == 0 && pool.snapshot.replicas.isEmpty }
            let idle = try await deployments.service("sleepy")
            #expect(idle.state == .healthy, "\(idle.state): \(idle.error)")

            // Then a request (max_request_wait_time is 200 ms, far below a cold start) still succeeds
            let response = try await deployments.score("sleepy", "0", key: key)
            #expect(String(decoding: response.body, as: UTF8.self).contains("pid"))
            let log = try await Self.logText(server, "sleepy")
            #expect(log.contains("(scaled to zero); starting replica"), "\(log)")
            #expect(log.contains("cold start: replica"), "\(log)")
            let metrics = server.app.metricsText
            #expect(metrics.contains(#"modelgate_cold_start_duration_seconds_count{endpoint="prod/sleepy",version=""} 1"#), "\(metrics)")
        }
    }

    @Test("A hung replica (SIGSTOP) is taken out of service and replaced within the probe settings")
    func hungReplicaIsReplaced() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            // Given one replica probed every second, killed after 2 misses
            let deployments = try await Deployments.prepare(server)
            var config = DeploymentConfig()
            config.computeType = .aci
            config.livenessPeriodSeconds = 1
            config.livenessTimeoutSeconds = 1
            config.livenessFailureThreshold = 2
            config.livenessInitialDelaySeconds = 1
            config.maxRequestWaitTimeMs = 200
            try await deployments.deployAndWait("sleepy", archive: try Deployments.archive(script: "sleepy.py"), config: config)
            let first = try await deployments.score("sleepy", "0", key: nil)
            let pid = try #require(Self.pid(in: first))

            // When its process stops answering
            #expect(kill(pid, SIGSTOP) == 0)
            defer { kill(pid, SIGKILL) }

            // Then a new process answers
            try await Self.waitUntil("a new replica answers") {
                guard let response = try? await deployments.score("sleepy", "0", key: nil) else { return false }
                return Self.pid(in: response) != pid
            }
            let log = try await Self.logText(server, "sleepy")
            #expect(log.contains("missed its readiness probe"), "\(log)")
            #expect(log.contains("failed its liveness probe"), "\(log)")
        }
    }

    @Test("/metrics parses with prometheus_client and counts requests, errors by code, latency and replicas")
    func metricsParseWithPrometheusClient() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path, configure: { $0.metricsListen = "127.0.0.1:0" }) { server in
            // Given two services, one of which raises
            let deployments = try await Deployments.prepare(server)
            var config = DeploymentConfig()
            config.computeType = .aci
            try await deployments.deployAndWait("sleepy", archive: try Deployments.archive(script: "sleepy.py"), config: config)
            try await deployments.deployAndWait("raising", archive: try Deployments.archive(script: "raising.py"), config: config)

            // When they are called
            for _ in 0..<3 { _ = try await deployments.score("sleepy", "0", key: nil) }
            _ = await rpcError { _ = try await deployments.score("raising", "boom", key: nil) }
            try await Task.sleep(for: .seconds(1.5))  // one autoscaler sample (refresh 1 s) for the gauges

            // Then prometheus_client parses the page and finds the counts
            let port = try await server.app.metricsBoundPort()
            let samples = try Self.parseMetrics(url: "http://127.0.0.1:\(port)/metrics")
            func value(_ name: String, _ labels: [String: String]) -> Double? {
                samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
            }
            #expect(value("modelgate_requests_total", ["endpoint": "prod/sleepy", "version": ""]) == 3)
            #expect(value("modelgate_request_duration_seconds_count", ["endpoint": "prod/sleepy"]) == 3)
            #expect(value("modelgate_request_errors_total", ["endpoint": "prod/raising", "code": "INTERNAL"]) == 1)
            #expect(value("modelgate_request_errors_total", ["endpoint": "prod/sleepy", "code": "INTERNAL"]) == 0)
            #expect(value("modelgate_replicas_ready", ["endpoint": "prod/sleepy"]) == 1)
            #expect(value("modelgate_replicas_desired", ["endpoint": "prod/sleepy"]) == 1)
            #expect(value("modelgate_queue_depth", ["endpoint": "prod/sleepy"]) == 0)
            // And nothing but GET /metrics is served
            #expect(try Self.httpStatus("GET", url: "http://127.0.0.1:\(port)/other") == 404)
            #expect(try Self.httpStatus("POST", url: "http://127.0.0.1:\(port)/metrics") == 405)
        }
    }

    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Runs `tools/metricscheck/parse.py` (prometheus_client's parser) on the page.
    static func parseMetrics(url: String) throws -> [Sample] {
        let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["python3", root.appending(path: "tools/metricscheck/parse.py").path, url]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "parse.py failed: \(errorText)")
        return try JSONDecoder().decode([Sample].self, from: data)
    }

    /// The HTTP status of one request, made with Python's urllib (a client independent of ours).
    static func httpStatus(_ method: String, url: String) throws -> Int {
        let script = """
            import sys, urllib.request, urllib.error
            request = urllib.request.Request(sys.argv[2], method=sys.argv[1], data=b"" if sys.argv[1] == "POST" else None)
            try:
                print(urllib.request.urlopen(request, timeout=10).status)
            except urllib.error.HTTPError as error:
                print(error.code)
            """
        let process = Process()
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, method, url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    static func pid(in response: ScoreResponse) -> Int32? {
        struct Answer: Decodable { var pid: Int32 }
        return try? JSONDecoder().decode(Answer.self, from: Data(response.body)).pid
    }
}


@Suite("Scale-to-zero configuration")
struct ScaleToZeroConfigTests {
    @Test("autoscale_scale_to_zero makes autoscale_min_replicas 0")
    func scaleToZeroSetsMinimumZero() throws {
        var config = AutoscaleEndToEndTests.autoscaled()
        config.autoscaleMinReplicas = 0
        config.autoscaleScaleToZero = .enabled
        let effective = try DeploymentDefaults.effective(config, computeType: .aks)
        #expect(effective.autoscaleMinReplicas == 0)
        #expect(DeploymentDefaults.initialReplicas(effective) == 1)
        // Stored and validated again (an update), it stays 0
        #expect(try DeploymentDefaults.effective(effective, computeType: .aks).autoscaleMinReplicas == 0)
    }

    @Test("Scale to zero is refused without autoscaling or with a minimum above 0", arguments: [false, true])
    func scaleToZeroRefusals(withMinimum: Bool) {
        var config = AutoscaleEndToEndTests.autoscaled(min: withMinimum ? 2 : 0)
        config.autoscaleScaleToZero = .enabled
        if !withMinimum {
            config.autoscaleEnabled = .disabled
            config.numReplicas = 1
        }
        #expect {
            try DeploymentDefaults.effective(config, computeType: .aks)
        } throws: { error in
            (error as? RPCError)?.code == .invalidArgument && (error as? RPCError)?.message.contains("autoscale_scale_to_zero") == true
        }
    }
}
