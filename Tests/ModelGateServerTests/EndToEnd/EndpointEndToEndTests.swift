import Foundation
import ModelGateAPI
import ModelGateRPC
@testable import ModelGateServer
import Synchronization
import Testing

/// Endpoints over the wire: the version rules, the traffic split of the
/// seed's controlled-rollout examples, and version changes under load.
///
/// Each version runs the echo fixture on one replica, on an AKS target with
/// room for every replica.
@Suite("Endpoints over the wire", .timeLimit(.minutes(3)))
struct EndpointEndToEndTests {
    /// Endpoint calls of one signed-in caller in one workspace.
    struct Calls: Sendable {
        let deployments: Deployments
        let archive: [UInt8]

        var server: RunningServer { self.deployments.server }

        static func prepare(_ server: RunningServer) async throws -> Calls {
            let deployments = try await Deployments.prepare(server)
            try await deployments.attachCompute("aks1", cores: 4, memoryGB: 16)
            return Calls(deployments: deployments, archive: try Deployments.archive(script: "echo.py"))
        }

        func version(_ name: String, percentile: Float = 0, isDefault: Bool = false, type: EndpointVersionType = .unspecified) -> EndpointVersion {
            var version = EndpointVersion()
            version.name = name
            version.trafficPercentile = percentile
            version.isDefault = isDefault
            version.versionType = type
            var inference = InferenceConfig()
            inference.entryScript = "score.py"
            inference.sourceArchive = self.archive
            version.inferenceConfig = inference
            return version
        }

        @discardableResult
        func create(_ name: String, first: EndpointVersion, config: DeploymentConfig = EndpointEndToEndTests.aks()) async throws -> Endpoint {
            var request = CreateEndpointRequest()
            request.workspace = self.deployments.workspace
            request.name = name
            request.deploymentConfig = config
            request.version = first
            return try await self.server.client.unary(ModelGateMethods.Deployment.createEndpoint, request, metadata: self.deployments.auth)
        }

        @discardableResult
        func createVersion(_ endpoint: String, _ version: EndpointVersion) async throws -> Endpoint {
            var request = CreateEndpointVersionRequest()
            request.workspace = self.deployments.workspace
            request.endpoint = endpoint
            request.version = version
            return try await self.server.client.unary(
                ModelGateMethods.Deployment.createEndpointVersion, request, metadata: self.deployments.auth
            )
        }

        @discardableResult
        func updateVersion(_ endpoint: String, _ version: EndpointVersion, mask: [String] = []) async throws -> Endpoint {
            var request = UpdateEndpointVersionRequest()
            request.workspace = self.deployments.workspace
            request.endpoint = endpoint
            request.version = version
            request.updateMask = mask
            return try await self.server.client.unary(
                ModelGateMethods.Deployment.updateEndpointVersion, request, metadata: self.deployments.auth
            )
        }

        @discardableResult
        func deleteVersion(_ endpoint: String, _ version: String) async throws -> Endpoint {
            var request = DeleteEndpointVersionRequest()
            request.workspace = self.deployments.workspace
            request.endpoint = endpoint
            request.version = version
            return try await self.server.client.unary(
                ModelGateMethods.Deployment.deleteEndpointVersion, request, metadata: self.deployments.auth
            )
        }

        func get(_ name: String) async throws -> Endpoint {
            var request = GetEndpointRequest()
            request.workspace = self.deployments.workspace
            request.name = name
            return try await self.server.client.unary(ModelGateMethods.Deployment.getEndpoint, request, metadata: self.deployments.auth)
        }

        func delete(_ name: String) async throws {
            var request = DeleteEndpointRequest()
            request.workspace = self.deployments.workspace
            request.name = name
            let _: DeleteEndpointResponse = try await self.server.client.unary(
                ModelGateMethods.Deployment.deleteEndpoint, request, metadata: self.deployments.auth
            )
        }

        /// Waits until every version of the endpoint is healthy (no rollout running).
        func waitHealthy(_ name: String) async throws -> Endpoint {
            let events = try await self.deployments.waitForDeployment(name)
            let last = try #require(events.last)
            #expect(last.final)
            #expect(last.state == .healthy, "ended \(last.state): \(last.message)")
            let endpoint = try await self.get(name)
            #expect(endpoint.state == .healthy, "\(endpoint.state): \(endpoint.error)")
            return endpoint
        }

        func score(_ name: String, key: String, version: String = "", body: String = "{\"data\": 1}") async throws -> ScoreResponse {
            var request = ScoreRequest()
            request.workspace = self.deployments.workspace
            request.service = name
            request.version = version
            request.body = Array(body.utf8)
            return try await self.server.client.unary(ModelGateMethods.Scoring.score, request, metadata: ["authorization": "Bearer \(key)"])
        }

        /// Scores `count` requests, `concurrency` at a time, and counts the versions that served them.
        func split(_ name: String, key: String, count: Int, concurrency: Int = 8) async throws -> [String: Int] {
            try await withThrowingTaskGroup(of: [String: Int].self) { group in
                for worker in 0..<concurrency {
                    let share = count / concurrency + (worker < count % concurrency ? 1 : 0)
                    group.addTask {
                        var counts: [String: Int] = [:]
                        for _ in 0..<share { counts[try await self.score(name, key: key).version, default: 0] += 1 }
                        return counts
                    }
                }
                var total: [String: Int] = [:]
                for try await counts in group { total.merge(counts, uniquingKeysWith: +) }
                return total
            }
        }
    }

    /// On AKS target `aks1`; requests may wait long for a replica (a bound
    /// only a hang breaks), so a loaded machine slows the tests without failing them.
    static func aks() -> DeploymentConfig {
        var config = DeploymentEndToEndTests.aks()
        config.maxRequestWaitTimeMs = 30_000
        return config
    }

    /// `observed` of `total` lies within 5 binomial standard deviations of `percent`.
    static func expectShare(_ observed: Int, of total: Int, percent: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let p = percent / 100
        let mean = Double(total) * p
        let sigma = (Double(total) * p * (1 - p)).squareRoot()
        #expect(
            abs(Double(observed) - mean) <= 5 * sigma + 0.5, "\(what): \(observed) of \(total), expected \(percent)% ± 5σ (σ = \(sigma))",
            sourceLocation: sourceLocation
        )
    }

    @Test("The version rules: six versions, one control, percentiles to 100, one default that cannot be deleted; clear errors")
    func versionRules() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let calls = try await Calls.prepare(server)

            let aci = await rpcError { try await calls.create("ep1-aci", first: calls.version("v1"), config: DeploymentEndToEndTests.aci) }
            #expect(aci?.code == .invalidArgument)
            #expect(aci?.message.contains("AKS") == true)
            let noVersion = await rpcError {
                var request = CreateEndpointRequest()
                request.workspace = calls.deployments.workspace
                request.name = "ep1-none"
                request.deploymentConfig = DeploymentEndToEndTests.aks()
                let _: Endpoint = try await server.client.unary(ModelGateMethods.Deployment.createEndpoint, request, metadata: calls.deployments.auth)
            }
            #expect(noVersion?.code == .invalidArgument)
            let badPercentile = await rpcError { try await calls.create("ep1-bad", first: calls.version("v1", percentile: 120)) }
            #expect(badPercentile?.code == .invalidArgument)
            #expect(badPercentile?.message.contains("traffic_percentile") == true)
            let badName = await rpcError { try await calls.create("ep1-bad", first: calls.version("v 1")) }
            #expect(badName?.code == .invalidArgument)

            let created = try await calls.create("ep1", first: calls.version("v1", percentile: 20))
            #expect(created.state == .transitioning)
            #expect(created.defaultVersion == "v1")
            #expect(created.versions.map(\.isDefault) == [true])
            #expect(created.versions.first?.versionType == .treatment)
            #expect(created.versions.first?.effectiveTrafficPercentile == 100)

            // One namespace: a service cannot take the endpoint's name.
            let clash = await rpcError {
                _ = try await calls.deployments.deploy("ep1", archive: calls.archive, config: DeploymentEndToEndTests.aks())
            }
            #expect(clash?.code == .alreadyExists)

            try await calls.createVersion("ep1", calls.version("v2", percentile: 30, type: .control))
            let duplicate = await rpcError { try await calls.createVersion("ep1", calls.version("V2")) }
            #expect(duplicate?.code == .alreadyExists)
            let secondControl = await rpcError { try await calls.createVersion("ep1", calls.version("v3", type: .control)) }
            #expect(secondControl?.code == .failedPrecondition)
            #expect(secondControl?.message.contains("one control") == true)
            let over100 = await rpcError { try await calls.createVersion("ep1", calls.version("v3", percentile: 60)) }
            #expect(over100?.code == .failedPrecondition)
            #expect(over100?.message.contains("at most 100") == true)
            let updateOver100 = await rpcError { try await calls.updateVersion("ep1", calls.version("v2", percentile: 90)) }
            #expect(updateOver100?.code == .failedPrecondition)

            for name in ["v3", "v4", "v5", "v6"] { try await calls.createVersion("ep1", calls.version(name)) }
            let seventh = await rpcError { try await calls.createVersion("ep1", calls.version("v7")) }
            #expect(seventh?.code == .failedPrecondition)
            #expect(seventh?.message.contains("6 versions") == true)

            let deleteDefault = await rpcError { try await calls.deleteVersion("ep1", "v1") }
            #expect(deleteDefault?.code == .failedPrecondition)
            #expect(deleteDefault?.message.contains("default") == true)
            let unmarkDefault = await rpcError {
                try await calls.updateVersion("ep1", calls.version("v1", isDefault: false), mask: ["is_default"])
            }
            #expect(unmarkDefault?.code == .failedPrecondition)
            let unknown = await rpcError { try await calls.deleteVersion("ep1", "nope") }
            #expect(unknown?.code == .notFound)
            let badMask = await rpcError { try await calls.updateVersion("ep1", calls.version("v2"), mask: ["replicas"]) }
            #expect(badMask?.code == .invalidArgument)

            // A new default: the old one loses the flag, and can then be deleted.
            var promote = EndpointVersion()
            promote.name = "v3"
            promote.isDefault = true
            let promoted = try await calls.updateVersion("ep1", promote)
            #expect(promoted.defaultVersion == "v3")
            #expect(promoted.versions.filter(\.isDefault).map(\.name) == ["v3"])
            #expect(promoted.versions.first { $0.name == "v3" }?.effectiveTrafficPercentile == 50)
            for name in ["v1", "v4", "v5", "v6"] { try await calls.deleteVersion("ep1", name) }
            let endpoint = try await calls.waitHealthy("ep1")
            #expect(endpoint.versions.map(\.name) == ["v2", "v3"])
            #expect(endpoint.versions.map(\.effectiveTrafficPercentile) == [30, 70])
            #expect(endpoint.versions.first?.versionType == .control)
            let deleteDefaultAgain = await rpcError { try await calls.deleteVersion("ep1", "v3") }
            #expect(deleteDefaultAgain?.code == .failedPrecondition)
            try await calls.deleteVersion("ep1", "v2")
            let last = await rpcError { try await calls.deleteVersion("ep1", "v3") }
            #expect(last?.code == .failedPrecondition)
            #expect(last?.message.contains("last version") == true)

            try await calls.delete("ep1")
            let gone = await rpcError { _ = try await calls.get("ep1") }
            #expect(gone?.code == .notFound)
            // The name is free again.
            try await calls.create("ep1", first: calls.version("v1"))
            _ = try await calls.waitHealthy("ep1")
        }
    }

    /// The seed's controlled-rollout examples, 2,000 requests each, each
    /// share within a 5-sigma binomial bound (so the test cannot flake).
    @Test("Traffic follows the percentiles: 20 % and the rest to the default; 10 % + 30 % and 60 % to the default; a new default takes the remainder")
    func trafficSplit() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let calls = try await Calls.prepare(server)
            try await calls.create("rollout", first: calls.version("versiona", percentile: 20))
            _ = try await calls.waitHealthy("rollout")
            let key = try await calls.deployments.keys("rollout").primaryKey
            let only = try await calls.split("rollout", key: key, count: 50)
            #expect(only == ["versiona": 50], "the first version, alone, takes everything")

            // 1: versionb takes 20 %, the default (versiona, 20 % of its own) the other 80 %.
            try await calls.createVersion("rollout", calls.version("versionb", percentile: 20))
            var endpoint = try await calls.waitHealthy("rollout")
            #expect(endpoint.versions.map(\.effectiveTrafficPercentile) == [80, 20])
            let n = 2_000
            var counts = try await calls.split("rollout", key: key, count: n)
            #expect(counts.values.reduce(0, +) == n)
            Self.expectShare(counts["versionb", default: 0], of: n, percent: 20, "versionb at 20 %")
            Self.expectShare(counts["versiona", default: 0], of: n, percent: 80, "default versiona")

            // 2: "test" 10 %, "production" 30 %, the remaining 60 % to the default.
            var test = EndpointVersion()
            test.name = "versionb"
            test.trafficPercentile = 10
            try await calls.updateVersion("rollout", test)
            try await calls.createVersion("rollout", calls.version("versionc", percentile: 30))
            var zero = EndpointVersion()
            zero.name = "versiona"
            try await calls.updateVersion("rollout", zero, mask: ["traffic_percentile"])
            endpoint = try await calls.waitHealthy("rollout")
            #expect(endpoint.versions.map(\.effectiveTrafficPercentile) == [60, 10, 30])
            counts = try await calls.split("rollout", key: key, count: n)
            Self.expectShare(counts["versionb", default: 0], of: n, percent: 10, "versionb at 10 %")
            Self.expectShare(counts["versionc", default: 0], of: n, percent: 30, "versionc at 30 %")
            Self.expectShare(counts["versiona", default: 0], of: n, percent: 60, "default versiona, the remainder")

            // 3: versionb goes to 40 % and becomes the default (and control): it takes the remainder, 70 %.
            var promote = EndpointVersion()
            promote.name = "versionb"
            promote.trafficPercentile = 40
            promote.isDefault = true
            promote.versionType = .control
            endpoint = try await calls.updateVersion("rollout", promote)
            #expect(endpoint.defaultVersion == "versionb")
            #expect(endpoint.versions.map(\.effectiveTrafficPercentile) == [0, 70, 30])
            counts = try await calls.split("rollout", key: key, count: n)
            #expect(counts["versiona"] == nil, "versiona has 0 % and is no longer the default")
            Self.expectShare(counts["versionb", default: 0], of: n, percent: 70, "new default versionb")
            Self.expectShare(counts["versionc", default: 0], of: n, percent: 30, "versionc at 30 %")

            // A caller may pin a version, even one at 0 %; an unknown one is NOT_FOUND.
            let pinned = try await calls.score("rollout", key: key, version: "versiona")
            #expect(pinned.version == "versiona")
            #expect(String(decoding: pinned.body, as: UTF8.self).contains("data"))
            let unknown = await rpcError { _ = try await calls.score("rollout", key: key, version: "versionz") }
            #expect(unknown?.code == .notFound)
            #expect(unknown?.message.contains("versionz") == true)

            // Health reports the endpoint and each version.
            var health = HealthRequest()
            health.serviceName = "prod/rollout"
            let answer: HealthResponse = try await server.client.unary(ModelGateMethods.Scoring.health, health)
            #expect(answer.status == .serving)
            #expect(Set(answer.services.first?.metrics.map(\.version) ?? []) == ["", "versiona", "versionb", "versionc"])
        }
    }

    /// Load keeps running (unpinned and pinned) while a version's code is
    /// updated, its traffic changed, and another version deleted: no request fails.
    @Test("Versions updated and deleted under load fail no request")
    func changesUnderLoad() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let calls = try await Calls.prepare(server)
            try await calls.create("live", first: calls.version("blue"))
            try await calls.createVersion("live", calls.version("green", percentile: 50))
            _ = try await calls.waitHealthy("live")
            let key = try await calls.deployments.keys("live").primaryKey

            let stop = StopFlag()
            let load = Task {
                try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var (served, failures) = (0, [String]())
                            while !stop.isSet {
                                do {
                                    // One worker pins blue, the default, which is never deleted.
                                    let response = try await calls.score("live", key: key, version: worker == 0 ? "blue" : "")
                                    if response.httpStatus != 200 { failures.append("HTTP \(response.httpStatus)") }
                                    served += 1
                                } catch {
                                    failures.append("\(error)")
                                }
                            }
                            return (served, failures)
                        }
                    }
                    var total = (0, [String]())
                    for try await (served, failures) in group {
                        total.0 += served
                        total.1 += failures
                    }
                    return total
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            // New code for green: a new pool, swapped in when ready; the old one drains.
            var code = calls.version("green")
            code.trafficPercentile = 0
            let updated = try await calls.updateVersion("live", code, mask: ["inference_config"])
            #expect(updated.versions.first { $0.name == "green" }?.state == .transitioning)
            let afterUpdate = try await calls.waitHealthy("live")
            let green = try #require(afterUpdate.versions.first { $0.name == "green" })
            #expect(green.replicas.allSatisfy { $0.replicaID.hasPrefix("green-r2-") }, "\(green.replicas.map(\.replicaID))")
            try await Task.sleep(for: .milliseconds(300))
            var traffic = EndpointVersion()
            traffic.name = "green"
            traffic.trafficPercentile = 90
            try await calls.updateVersion("live", traffic)
            try await Task.sleep(for: .milliseconds(300))
            let afterDelete = try await calls.deleteVersion("live", "green")
            #expect(afterDelete.versions.map(\.name) == ["blue"])
            try await Task.sleep(for: .milliseconds(300))
            stop.set()
            let (served, failures) = try await load.value
            #expect(failures.isEmpty, "\(failures.count) of \(served + failures.count) failed: \(failures.prefix(3))")
            #expect(served > 20)
            let after = try await calls.split("live", key: key, count: 40)
            #expect(after == ["blue": 40])
        }
    }

    @Test("One name space: tokens, keys and logs are asked for by the endpoint's name")
    func endpointNameServesAuthAndLogs() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let calls = try await Calls.prepare(server)
            var config = Self.aks()
            config.tokenAuthEnabled = .enabled
            try await calls.create("tokened", first: calls.version("one"), config: config)
            _ = try await calls.waitHealthy("tokened")
            let keys = await rpcError { _ = try await calls.deployments.keys("tokened") }
            #expect(keys?.code == .failedPrecondition)
            #expect(keys?.message.contains("endpoint 'tokened'") == true)
            var request = GetTokenRequest()
            request.workspace = calls.deployments.workspace
            request.service = "tokened"
            let token: GetTokenResponse = try await server.client.unary(ModelGateMethods.Auth.getToken, request, metadata: calls.deployments.auth)
            #expect(try await calls.score("tokened", key: token.token).version == "one")
            let anonymous = await rpcError { _ = try await calls.score("tokened", key: "not-a-token") }
            #expect(anonymous?.code == .unauthenticated)

            var logs = GetLogsRequest()
            logs.workspace = calls.deployments.workspace
            logs.name = "tokened"
            var lines: [LogLine] = []
            for try await response in server.client.serverStreaming(
                ModelGateMethods.Deployment.getLogs, logs, metadata: calls.deployments.auth, as: GetLogsResponse.self
            ) {
                lines += response.lines
            }
            #expect(lines.contains { $0.text.contains("echo score.py: init done") && $0.replicaID.hasPrefix("one-r1-") && $0.version == "one" })
        }
    }

    @Test("Versions count against the cluster's capacity; endpoint-wide settings change auth and the shared pool's size")
    func capacityAndEndpointSettings() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let calls = try await Calls.prepare(server)
            var big = calls.version("big")
            var settings = DeploymentConfig()
            settings.cpuCores = 8
            big.deploymentConfig = settings
            let tooBig = await rpcError { try await calls.create("cap", first: big) }
            #expect(tooBig?.code == .resourceExhausted)
            #expect(tooBig?.message.contains("endpoint 'cap' does not fit compute target 'aks1'") == true)

            try await calls.create("cap", first: calls.version("small"))
            settings.cpuCores = 3.95
            var second = calls.version("second")
            second.deploymentConfig = settings
            let secondTooBig = await rpcError { try await calls.createVersion("cap", second) }
            #expect(secondTooBig?.code == .resourceExhausted, "0.1 + 3.95 cores on a 4-core cluster")
            settings.cpuCores = 0.5
            second.deploymentConfig = settings
            try await calls.createVersion("cap", second)
            _ = try await calls.waitHealthy("cap")

            // Endpoint-wide: auth off, three replicas for the whole endpoint, divided 2 + 1 by traffic (50 % each → 2, 1).
            var update = UpdateEndpointRequest()
            update.workspace = calls.deployments.workspace
            update.name = "cap"
            var wide = DeploymentConfig()
            wide.authEnabled = .disabled
            wide.numReplicas = 3
            update.deploymentConfig = wide
            update.description = "capacity test"
            let updated: Endpoint = try await server.client.unary(
                ModelGateMethods.Deployment.updateEndpoint, update, metadata: calls.deployments.auth
            )
            #expect(updated.deploymentConfig?.authEnabled == .disabled)
            #expect(updated.deploymentConfig?.numReplicas == 3)
            var request = ScoreRequest()
            request.workspace = calls.deployments.workspace
            request.service = "cap"
            request.body = Array("{}".utf8)
            let open: ScoreResponse = try await server.client.unary(ModelGateMethods.Scoring.score, request)
            #expect(["small", "second"].contains(open.version))
            let pool = try #require(server.app.servingRegistry.entry(workspace: "prod", service: "cap")?.endpoint)
            #expect(pool.target == 3)
            #expect(pool.table.routes.count == 2)
            #expect(pool.load.desiredReplicas == 3)

            var list = ListEndpointsRequest()
            list.workspace = calls.deployments.workspace
            let listed: ListEndpointsResponse = try await server.client.unary(
                ModelGateMethods.Deployment.listEndpoints, list, metadata: calls.deployments.auth
            )
            #expect(listed.endpoints.map(\.name) == ["cap"])
            list.computeTarget = "elsewhere"
            let none: ListEndpointsResponse = try await server.client.unary(
                ModelGateMethods.Deployment.listEndpoints, list, metadata: calls.deployments.auth
            )
            #expect(none.endpoints.isEmpty)
            let detach = await rpcError {
                var request = DetachComputeRequest()
                request.workspace = calls.deployments.workspace
                request.name = "aks1"
                let _: DetachComputeResponse = try await server.client.unary(
                    ModelGateMethods.Workspace.detachCompute, request, metadata: calls.deployments.auth
                )
            }
            #expect(detach?.code == .failedPrecondition, "an endpoint runs on it")
        }
    }

    @Test("An endpoint comes back after a restart with its versions, traffic and keys")
    func restoredAfterRestart() async throws {
        let directory = try TemporaryDirectory()
        let key = try await RunningServer.with(dataDirectory: directory.path) { server in
            let calls = try await Calls.prepare(server)
            try await calls.create("kept", first: calls.version("one"))
            try await calls.createVersion("kept", calls.version("two", percentile: 25, type: .control))
            _ = try await calls.waitHealthy("kept")
            return try await calls.deployments.keys("kept").primaryKey
        }
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let auth = try await server.signIn()
            let calls = Calls(deployments: Deployments(server: server, auth: auth, workspace: "prod"), archive: [])
            let endpoint = try await calls.waitHealthy("kept")
            #expect(endpoint.versions.map(\.name) == ["one", "two"])
            #expect(endpoint.versions.map(\.effectiveTrafficPercentile) == [75, 25])
            #expect(endpoint.versions.map(\.versionType) == [.treatment, .control])
            #expect(try await calls.score("kept", key: key, version: "two").version == "two")
        }
    }
}

