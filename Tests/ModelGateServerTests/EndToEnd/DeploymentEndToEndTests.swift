import Foundation
import ModelGateAPI
import ModelGateRPC
@testable import ModelGateServer
import Synchronization
import Testing

/// The user's main journey over the wire: register a model, deploy it with a
/// `score.py` to AKS or ACI, follow the progress, score it with its keys.
@Suite("Deploying over the wire", .timeLimit(.minutes(2)))
struct DeploymentEndToEndTests {
    struct Predictions: Decodable { var predictions: [Double] }

    /// The example's predictions for sample-request.json, from its weights.
    static func expectedPredictions() throws -> [Double] {
        let weights = try ExampleModelTests.read(ExampleModelTests.Weights.self, "model/weights.json")
        let request = try ExampleModelTests.read(ExampleModelTests.Request.self, "sample-request.json")
        return request.data.map { row in zip(weights.coefficients, row).reduce(weights.intercept) { $0 + $1.0 * $1.1 } }
    }

    static func aks(_ target: String = "aks1", replicas: UInt32 = 0) -> DeploymentConfig {
        var config = DeploymentConfig()
        config.computeType = .aks
        config.computeTargetName = target
        config.numReplicas = replicas
        return config
    }

    static var aci: DeploymentConfig {
        var config = DeploymentConfig()
        config.computeType = .aci
        return config
    }

    @Test("The example deploys to AKS with progress, scores with its key, and frees its capacity when deleted")
    func exampleOnAKS() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            let model = try await deployments.registerExampleModel()
            try await deployments.attachCompute("aks1", cores: 2, memoryGB: 4)
            let accepted = try await deployments.deploy(
                "linear", archive: try Deployments.archive(of: Deployments.example.path), models: ["linear-regression:\(model.version)"],
                config: Self.aks()
            )
            #expect(accepted.state == .transitioning)
            let events = try await deployments.waitForDeployment("linear")
            let phases = Set(events.map(\.phase))
            for phase in [DeploymentPhase.packageUpload, .environmentLookup, .scheduling, .replicasStarting, .replicasReady, .done] {
                #expect(phases.contains(phase), "no \(phase) event in \(events.map(\.message))")
            }
            #expect(events.contains { $0.cacheResult == .machinePython })
            #expect(events.last?.final == true)
            #expect(events.last?.state == .healthy)
            #expect(events.filter(\.final).count == 1)

            let service = try await deployments.service("linear")
            #expect(service.state == .healthy)
            #expect(service.models == ["linear-regression:\(model.version)"])
            #expect(service.replicas.count == 1)
            #expect(service.replicas.first?.computeTarget == "aks1")
            let config = try #require(service.deploymentConfig)
            #expect(config.cpuCores == 0.1 && config.memoryGb == 0.5)
            #expect(config.autoscaleEnabled == .enabled && config.autoscaleMinReplicas == 1 && config.autoscaleMaxReplicas == 10)
            #expect(config.authEnabled == .enabled && config.scoringTimeoutMs == 60_000 && config.livenessInitialDelaySeconds == 310)
            #expect(config.primaryKey.isEmpty, "keys are never echoed in the config")

            let keys = try await deployments.keys("linear")
            #expect(keys.primaryKey.utf8.count >= 43 && keys.secondaryKey.utf8.count >= 43 && keys.primaryKey != keys.secondaryKey)
            let body = try String(contentsOf: Deployments.example.appending(path: "sample-request.json"), encoding: .utf8)
            let answer = try await deployments.score("linear", body, key: keys.primaryKey)
            let predictions = try JSONDecoder().decode(Predictions.self, from: Data(answer.body)).predictions
            let expected = try Self.expectedPredictions()
            #expect(predictions.count == expected.count)
            for (predicted, wanted) in zip(predictions, expected) {
                #expect(abs(predicted - wanted) <= 1e-9)
            }
            let unauthenticated = await rpcError { _ = try await deployments.score("linear", body, key: nil) }
            #expect(unauthenticated?.code == .unauthenticated)
            let wrongKey = await rpcError { _ = try await deployments.score("linear", body, key: "x" + keys.primaryKey) }
            #expect(wrongKey?.code == .unauthenticated)

            // In use: the model cannot be deleted, the compute cannot be detached, and its capacity is taken.
            var deleteModel = DeleteModelRequest()
            deleteModel.workspace = "prod"
            deleteModel.name = "linear-regression"
            deleteModel.version = Int32(model.version)
            let modelInUse = await rpcError {
                let _: DeleteModelResponse = try await server.client.unary(ModelGateMethods.Model.deleteModel, deleteModel, metadata: deployments.auth)
            }
            #expect(modelInUse?.code == .failedPrecondition)
            var detach = DetachComputeRequest()
            detach.workspace = "prod"
            detach.name = "aks1"
            let computeInUse = await rpcError {
                let _: DetachComputeResponse = try await server.client.unary(ModelGateMethods.Workspace.detachCompute, detach, metadata: deployments.auth)
            }
            #expect(computeInUse?.code == .failedPrecondition)

            try await deployments.delete("linear")
            let gone = await rpcError { _ = try await deployments.service("linear") }
            #expect(gone?.code == .notFound)
            let _: DetachComputeResponse = try await server.client.unary(ModelGateMethods.Workspace.detachCompute, detach, metadata: deployments.auth)
            let _: DeleteModelResponse = try await server.client.unary(ModelGateMethods.Model.deleteModel, deleteModel, metadata: deployments.auth)
        }
    }

    @Test("On ACI auth is off by default: scoring needs no key, and GetKeys says there are none in use")
    func aciWithoutKeys() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            let model = try await deployments.registerExampleModel()
            try await deployments.deployAndWait(
                "linear-aci", archive: try Deployments.archive(of: Deployments.example.path),
                models: ["linear-regression:\(model.version)"], config: Self.aci
            )
            let service = try await deployments.service("linear-aci")
            #expect(service.deploymentConfig?.authEnabled == .disabled)
            #expect(service.deploymentConfig?.computeType == .aci)
            let answer = try await deployments.score("linear-aci", #"{"data": [[0, 0, 0]]}"#, key: nil)
            let predictions = try JSONDecoder().decode(Predictions.self, from: Data(answer.body)).predictions
            let weights = try ExampleModelTests.read(ExampleModelTests.Weights.self, "model/weights.json")
            #expect(predictions.count == 1 && abs(predictions[0] - weights.intercept) <= 1e-9)
            let keys = await rpcError { _ = try await deployments.keys("linear-aci") }
            #expect(keys?.code == .failedPrecondition)
        }
    }

    @Test("A score.py that fails to import, or whose init() raises, ends Failed with the traceback in progress and logs")
    func brokenScriptsFail() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            for (name, script, text) in [
                ("import-error", "import_error.py", "ModuleNotFoundError: No module named 'modelgate_no_such_package'"),
                ("init-error", "init_error.py", "RuntimeError: model file is missing"),
            ] {
                let events = try await deployments.deployAndWait(
                    name, archive: try Deployments.archive(script: script), config: Self.aci, expecting: .failed
                )
                #expect(events.last?.message.contains(text) == true, "final: \(events.last?.message ?? "")")
                #expect(events.contains { $0.message.contains("Traceback") })
                let service = try await deployments.service(name)
                #expect(service.state == .failed)
                #expect(service.error.contains(text))
                var logs = GetLogsRequest()
                logs.workspace = "prod"
                logs.name = name
                var lines: [String] = []
                for try await response in server.client.serverStreaming(
                    ModelGateMethods.Deployment.getLogs, logs, metadata: deployments.auth, as: GetLogsResponse.self
                ) {
                    lines += response.lines.map(\.text)
                }
                #expect(lines.contains { $0.contains(text) }, "logs: \(lines)")
                // Scoring says why instead of hanging.
                let scored = await rpcError { _ = try await deployments.score(name, "1", key: nil) }
                #expect(scored?.code == .unavailable)
                // A fixed script can be deployed over the failed one.
                try await deployments.deployAndWait(name, archive: try Deployments.archive(script: "echo.py"), config: Self.aci, overwrite: true)
            }
        }
    }

    @Test("Deployments that break Azure's rules or do not fit the cluster are refused with what was asked and what is free")
    func invalidAndOversizedDeployments() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            try await deployments.attachCompute("small", cores: 1, memoryGB: 2)
            let archive = try Deployments.archive(script: "echo.py")
            func refusal(_ config: DeploymentConfig, models: [String] = []) async -> RPCError? {
                await rpcError { _ = try await deployments.deploy("bad", archive: archive, models: models, config: config) }
            }
            var both = Self.aks("small", replicas: 2)
            both.autoscaleEnabled = .enabled
            #expect(await refusal(both)?.message.contains("cannot both be set") == true)
            var neither = Self.aks("small")
            neither.autoscaleEnabled = .disabled
            #expect(await refusal(neither)?.message.contains("num_replicas is required") == true)
            var minAboveMax = Self.aks("small")
            minAboveMax.autoscaleMinReplicas = 5
            minAboveMax.autoscaleMaxReplicas = 2
            #expect(await refusal(minAboveMax)?.code == .invalidArgument)
            var limitBelow = Self.aks("small", replicas: 1)
            limitBelow.cpuCores = 0.5
            limitBelow.cpuCoresLimit = 0.25
            #expect(await refusal(limitBelow)?.message.contains("cpu_cores_limit") == true)
            var tokenAndKeys = Self.aks("small", replicas: 1)
            tokenAndKeys.authEnabled = .enabled
            tokenAndKeys.tokenAuthEnabled = .enabled
            #expect(await refusal(tokenAndKeys)?.code == .invalidArgument)
            var tokenOnACI = Self.aci
            tokenOnACI.tokenAuthEnabled = .enabled
            #expect(await refusal(tokenOnACI)?.message.contains("AKS only") == true)
            let tooMany = await refusal(Self.aci, models: (0...1_000).map { "m\($0):1" })
            #expect(tooMany?.code == .invalidArgument)
            #expect(tooMany?.message.contains("at most 1000 models") == true)
            #expect(await refusal(Self.aks("nope", replicas: 1))?.code == .notFound)

            var big = Self.aks("small", replicas: 2)
            big.cpuCores = 0.6
            let full = await refusal(big)
            #expect(full?.code == .resourceExhausted)
            #expect(full?.message.contains("1.2 cores") == true, "\(full?.message ?? "")")
            #expect(full?.message.contains("free: 1 of 1 cores") == true, "\(full?.message ?? "")")
            // What fits is deployed; then the next one sees what is left.
            var half = Self.aks("small", replicas: 1)
            half.cpuCores = 0.6
            try await deployments.deployAndWait("first", archive: archive, config: half)
            let second = await rpcError { _ = try await deployments.deploy("second", archive: archive, config: half) }
            #expect(second?.code == .resourceExhausted)
            #expect(second?.message.contains("free: 0.4 of 1 cores") == true, "\(second?.message ?? "")")
            let missing = await rpcError { _ = try await deployments.service("bad") }
            #expect(missing?.code == .notFound, "a refused deployment leaves nothing behind")
        }
    }

    @Test("Regenerating the primary key under load fails no request on the secondary; the old primary fails at once")
    func regenerateUnderLoad() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            try await deployments.attachCompute("aks1", cores: 2, memoryGB: 4)
            var config = Self.aks(replicas: 1)
            config.replicaMaxConcurrentRequests = 4
            try await deployments.deployAndWait("echo", archive: try Deployments.archive(script: "echo.py"), config: config)
            let keys = try await deployments.keys("echo")
            let load = Load()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        while !load.isStopped {
                            do {
                                _ = try await deployments.score("echo", "\"x\"", key: keys.secondaryKey)
                                load.succeeded()
                            } catch {
                                load.failed(error)
                            }
                        }
                    }
                }
                var previous = keys.primaryKey
                for _ in 0..<5 {
                    let regenerated = try await deployments.regenerate("echo", .primary)
                    #expect(regenerated.primaryKey != previous)
                    #expect(regenerated.secondaryKey == keys.secondaryKey)
                    let old = await rpcError { _ = try await deployments.score("echo", "\"x\"", key: previous) }
                    #expect(old?.code == .unauthenticated)
                    _ = try await deployments.score("echo", "\"x\"", key: regenerated.primaryKey)
                    previous = regenerated.primaryKey
                    try await Task.sleep(for: .milliseconds(20))
                }
                load.stop()
                try await group.waitForAll()
            }
            #expect(load.failures == [])
            #expect(load.successes > 0)

            // Keys survive a redeploy with overwrite, and keys given in the config are used as given.
            let current = try await deployments.keys("echo")
            try await deployments.deployAndWait(
                "echo", archive: try Deployments.archive(script: "echo.py"), config: config, overwrite: true
            )
            #expect(try await deployments.keys("echo") == current)
            var given = config
            given.primaryKey = "my-own-primary-key-0123456789"
            try await deployments.deployAndWait("echo", archive: try Deployments.archive(script: "echo.py"), config: given, overwrite: true)
            let after = try await deployments.keys("echo")
            #expect(after.primaryKey == "my-own-primary-key-0123456789")
            #expect(after.secondaryKey == current.secondaryKey)
        }
    }

    @Test("An update replaces the replicas under load without failing a request")
    func updateUnderLoad() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            try await deployments.deployAndWait("echo", archive: try Deployments.archive(script: "echo.py"), config: Self.aci)
            let load = Load()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        while !load.isStopped {
                            do {
                                _ = try await deployments.score("echo", "\"x\"", key: nil)
                                load.succeeded()
                            } catch {
                                load.failed(error)
                            }
                        }
                    }
                }
                var update = UpdateServiceRequest()
                update.workspace = "prod"
                update.name = "echo"
                var config = DeploymentConfig()
                config.numReplicas = 2
                config.description = "two replicas"
                update.deploymentConfig = config
                let updated: WebService = try await server.client.unary(ModelGateMethods.Deployment.updateService, update, metadata: deployments.auth)
                #expect(updated.state == .transitioning)
                #expect(updated.generation == 2)
                let events = try await deployments.waitForDeployment("echo")
                #expect(events.last?.state == .healthy)
                try await Task.sleep(for: .milliseconds(200))
                load.stop()
                try await group.waitForAll()
            }
            #expect(load.failures == [])
            #expect(load.successes > 0)
            let service = try await deployments.service("echo")
            #expect(service.deploymentConfig?.numReplicas == 2)
            #expect(service.deploymentConfig?.description == "two replicas")
            #expect(service.replicas.map(\.replicaID).sorted() == ["r2-1", "r2-2"])
        }
    }

    @Test("show_output streams the replicas' output; a killed replica is restarted, the service Unhealthy until it is back")
    func outputAndRestartedReplica() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            _ = try await deployments.deploy("echo", archive: try Deployments.archive(script: "echo.py"), config: Self.aci)
            let events = try await deployments.waitForDeployment("echo", showOutput: true)
            #expect(events.last?.state == .healthy)
            #expect(events.contains { $0.message == "[r1-1] echo score.py: init done" }, "\(events.map(\.message))")
            let started = try #require(events.first { $0.message.contains("Replica r1-1 started") }?.message)
            let pid = try #require(started.split(separator: "pid ").last.flatMap { Int32($0.prefix { $0.isNumber }) })

            #expect(kill(pid, SIGKILL) == 0)
            var states: [WebServiceState] = []
            var service = try await deployments.service("echo")
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                service = try await deployments.service("echo")
                if states.last != service.state { states.append(service.state) }
                if service.state == .healthy, service.replicas.first?.restarts == 1 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(states.contains(.unhealthy), "states seen: \(states)")
            #expect(service.state == .healthy)
            #expect(service.replicas.first?.restarts == 1)
            #expect(service.replicas.first?.lastExitCode == -9)
            _ = try await deployments.score("echo", "\"back\"", key: nil)
        }
    }

    @Test("A registered environment is used by name and pinned; a failed update leaves the previous version serving")
    func registeredEnvironmentAndFailedUpdate() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            var register = RegisterEnvironmentRequest()
            var environment = Environment()
            environment.workspace = deployments.workspace
            environment.name = "plain"
            environment.environmentVariables = ["GREETING": "hello"]
            register.environment = environment
            let registered: Environment = try await server.client.unary(
                ModelGateMethods.Model.registerEnvironment, register, metadata: deployments.auth
            )
            #expect(registered.version == 1)

            var deploy = DeployRequest()
            deploy.workspace = deployments.workspace
            deploy.name = "echo"
            var inference = InferenceConfig()
            inference.entryScript = "score.py"
            inference.sourceArchive = try Deployments.archive(script: "echo.py")
            inference.environmentName = "plain"
            deploy.inferenceConfig = inference
            deploy.deploymentConfig = Self.aci
            let _: DeployResponse = try await server.client.unary(ModelGateMethods.Deployment.deploy, deploy, metadata: deployments.auth)
            let events = try await deployments.waitForDeployment("echo")
            #expect(events.last?.state == .healthy)
            #expect(events.contains { $0.cacheResult == .machinePython && $0.environmentHash == registered.contentHash })
            let service = try await deployments.service("echo")
            #expect(service.inferenceConfig?.environmentName == "plain")
            #expect(service.inferenceConfig?.environmentVersion == 1)
            #expect(service.inferenceConfig?.sourceArchive.isEmpty == true)
            #expect(service.inferenceConfig?.sourceArchiveRef?.sha256.count == 64)

            // An update to a script whose init() raises fails; the running version keeps answering.
            var update = UpdateServiceRequest()
            update.workspace = deployments.workspace
            update.name = "echo"
            var broken = InferenceConfig()
            broken.sourceArchive = try Deployments.archive(script: "init_error.py")
            update.inferenceConfig = broken
            let _: WebService = try await server.client.unary(ModelGateMethods.Deployment.updateService, update, metadata: deployments.auth)
            let failed = try await deployments.waitForDeployment("echo")
            #expect(failed.last?.state == .failed)
            #expect(try await deployments.service("echo").state == .failed)
            let answer = try await deployments.score("echo", "\"still here\"", key: nil)
            // echo.py answers with the body it got, as a JSON string.
            #expect(try JSONDecoder().decode(String.self, from: Data(answer.body)) == "\"still here\"")
        }
    }

    @Test("Queue-wait and scoring timeouts of the deployment config apply: RESOURCE_EXHAUSTED and DEADLINE_EXCEEDED")
    func waitAndTimeoutLimits() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            var config = Self.aci
            config.scoringTimeoutMs = 2_000
            config.maxRequestWaitTimeMs = 100
            try await deployments.deployAndWait("sleepy", archive: try Deployments.archive(script: "sleepy.py"), config: config)
            // One replica, one request at a time: while one sleeps, another waits 100 ms and is refused.
            async let busy = deployments.score("sleepy", "1.5", key: nil)
            try await Task.sleep(for: .milliseconds(400))
            let refused = await rpcError { _ = try await deployments.score("sleepy", "0", key: nil) }
            #expect(refused?.code == .resourceExhausted)
            _ = try await busy
            let slow = await rpcError { _ = try await deployments.score("sleepy", "5", key: nil) }
            #expect(slow?.code == .deadlineExceeded)
            #expect(slow?.message.contains("2000 ms") == true, "\(slow?.message ?? "")")
        }
    }

    @Test("After a restart, services that were Healthy come back Healthy with the same keys, without a redeploy")
    func servicesSurviveRestart() async throws {
        let directory = try TemporaryDirectory()
        let (keys, failedName) = try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            let model = try await deployments.registerExampleModel()
            try await deployments.attachCompute("aks1", cores: 2, memoryGB: 4)
            try await deployments.deployAndWait(
                "linear", archive: try Deployments.archive(of: Deployments.example.path),
                models: ["linear-regression:\(model.version)"], config: Self.aks(replicas: 1)
            )
            try await deployments.deployAndWait(
                "broken", archive: try Deployments.archive(script: "init_error.py"), config: Self.aci, expecting: .failed
            )
            return (try await deployments.keys("linear"), "broken")
        }
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = Deployments(server: server, auth: try await server.signIn(), workspace: "prod")
            let events = try await deployments.waitForDeployment("linear")
            #expect(events.last?.state == .healthy, "\(events.map(\.message))")
            #expect(try await deployments.keys("linear") == keys)
            let answer = try await deployments.score("linear", #"{"data": [[1, 2, 3]]}"#, key: keys.primaryKey)
            #expect(try JSONDecoder().decode(Predictions.self, from: Data(answer.body)).predictions.count == 1)
            #expect(try await deployments.service(failedName).state == .failed)
        }
    }
}

/// Counts a load loop's answers, shared by its tasks.
final class Load: Sendable {
    private let state = Mutex<(stopped: Bool, successes: Int, failures: [String])>((false, 0, []))

    var isStopped: Bool { self.state.withLock { $0.stopped } }
    var successes: Int { self.state.withLock { $0.successes } }
    var failures: [String] { self.state.withLock { $0.failures } }

    func stop() { self.state.withLock { $0.stopped = true } }
    func succeeded() { self.state.withLock { $0.successes += 1 } }
    func failed(_ error: any Error) { self.state.withLock { $0.failures.append("\(error)") } }
}
