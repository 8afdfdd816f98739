internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// The region-outage scenario of issue 4, against a live server.
///
/// Set-up: a workspace in ``Configuration/region`` with an AKS cluster in
/// another region, an echo script deployed twice on it (key auth and token
/// auth), a Reader service principal that fetches tokens, one token fetched
/// before anything breaks, and a second workspace in another region.
///
/// Run: steady scoring on both services (the token service with the
/// pre-outage token throughout) and clients that keep fetching tokens;
/// after ``Configuration/warmup`` the workspace's region is marked
/// unavailable, after ``Configuration/outage`` it comes back, and the load
/// runs ``Configuration/recovery`` more. Everything is timed on one clock.
struct ChaosScenario: Sendable {
    struct Configuration: Sendable {
        var warmup: Duration = .seconds(2)
        var outage: Duration = .seconds(3)
        var recovery: Duration = .seconds(2)
        /// Scoring clients per service, each sending one request at a time.
        var scoringClients = 2
        /// Clients that keep fetching tokens, each one at a time.
        var tokenClients = 2
        /// Pause between one client's token fetches.
        var tokenInterval: Duration = .milliseconds(20)
        /// The workspace's region, the one that goes down.
        var region = "westeurope"
        /// Where the cluster runs: healthy all along, and far enough that a token fetch shows the distance.
        var clusterRegion = "northeurope"
        /// The second workspace's region, which must stay untouched.
        var otherRegion = "eastus"
        /// The issue's limits: failed token fetches' p99 during the outage, and
        /// the time from the region's return to the first token. The test suite
        /// loosens them, because it runs the drill beside every other test.
        var maxRefusal: Duration = .milliseconds(50)
        var maxRecovery: Duration = .seconds(1)
    }

    static let workspace = "chaos"
    static let otherWorkspace = "chaos-other"
    static let keyService = "echo-key"
    static let tokenService = "echo-token"
    static let compute = "aks-chaos"

    /// Azure-style `score.py` that answers with its input.
    static let echoScript = """
        def init():
            pass


        def run(raw_data):
            return raw_data

        """

    let configuration: Configuration
    let server: ServerAddress
    let admin: Credentials
    let progress: @Sendable (String) -> Void

    /// Sets up, runs the timeline, and returns what happened.
    func run() async throws -> ChaosReport {
        let admin = try await ModelGateClient.connect(to: self.server, credentials: self.admin)
        do {
            let report = try await self.run(admin: admin)
            await admin.close()
            return report
        } catch {
            await admin.close()
            throw error
        }
    }

    private func run(admin: ModelGateClient) async throws -> ChaosReport {
        let config = self.configuration
        self.progress("setting up: workspace '\(Self.workspace)' in \(config.region), cluster in \(config.clusterRegion)")
        _ = try await admin.createWorkspace(name: Self.workspace, region: config.region)
        _ = try await admin.createWorkspace(name: Self.otherWorkspace, region: config.otherRegion)
        _ = try await admin.attachCompute(
            workspace: Self.workspace, name: Self.compute, region: config.clusterRegion, cpuCores: 4, memoryGB: 8
        )
        let reader = try await admin.createPrincipal(displayName: "chaos-reader")
        let readerCredentials = Credentials(clientID: reader.principal?.clientID ?? "", clientSecret: reader.clientSecret)
        try await admin.assignRole(.reader, to: readerCredentials.clientID, on: Self.workspace)

        self.progress("deploying '\(Self.keyService)' (key auth) and '\(Self.tokenService)' (token auth)")
        let inference = try Self.echoInferenceConfig()
        for (name, tokenAuth) in [(Self.keyService, false), (Self.tokenService, true)] {
            _ = try await admin.deploy(
                workspace: Self.workspace, name: name, models: [], inferenceConfig: inference,
                deploymentConfig: self.deploymentConfig(tokenAuth: tokenAuth)
            )
        }
        for name in [Self.keyService, Self.tokenService] {
            var last = DeploymentProgress()
            for try await event in admin.waitForDeployment(workspace: Self.workspace, name: name) { last = event }
            guard last.state == .healthy else {
                throw ChaosError("service '\(name)' did not become healthy: \(last.message)")
            }
        }
        let key = try await admin.keys(workspace: Self.workspace, service: Self.keyService).primaryKey

        let readerClient = try await ModelGateClient.connect(to: self.server, credentials: readerCredentials)
        let preOutage = try await readerClient.serviceToken(workspace: Self.workspace, service: Self.tokenService)
        await readerClient.close()
        self.progress("token fetched before the outage (kid \(preOutage.keyID)); starting load")

        let recorder = ChaosRecorder()
        let clock = ContinuousClock()
        let started = clock.now
        let stopAt = started + config.warmup + config.outage + config.recovery
        let timeline = try await withThrowingTaskGroup(of: ChaosReport.Timeline?.self) { group in
            for index in 0..<config.scoringClients {
                group.addTask {
                    try await self.score(Self.keyService, credential: key, until: stopAt, recorder: recorder, index: index)
                    return nil
                }
                group.addTask {
                    try await self.score(Self.tokenService, credential: preOutage.token, until: stopAt, recorder: recorder, index: index)
                    return nil
                }
            }
            for _ in 0..<config.tokenClients {
                group.addTask {
                    try await self.fetchTokens(as: readerCredentials, until: stopAt, recorder: recorder)
                    return nil
                }
            }
            group.addTask {
                try await self.breakAndRestore(admin: admin, from: started)
            }
            var timeline: ChaosReport.Timeline?
            for try await result in group {
                if let result { timeline = result }
            }
            guard let timeline else { throw ChaosError("the outage timeline did not run") }
            return timeline
        }
        return ChaosReport(
            configuration: config, started: started, timeline: timeline,
            scoring: recorder.scoring, tokens: recorder.tokens,
            services: [Self.keyService, Self.tokenService]
        )
    }

    /// Waits out the warm-up, marks the region down, probes the control plane,
    /// waits out the outage, brings the region back.
    private func breakAndRestore(admin: ModelGateClient, from started: ContinuousClock.Instant) async throws -> ChaosReport.Timeline {
        let config = self.configuration
        let clock = ContinuousClock()
        try await clock.sleep(until: started + config.warmup)
        self.progress("marking \(config.region) unavailable for \(config.outage)")
        var timeline = ChaosReport.Timeline()
        timeline.downSent = clock.now
        try await admin.setRegionAvailability(config.region, available: false, reason: "chaos run")
        timeline.downAt = clock.now

        // The control plane: the workspace in the downed region fails fast, the other answers.
        let probeStart = clock.now
        do {
            _ = try await admin.workspace(named: Self.workspace)
            timeline.affectedWorkspace = "answered (expected UNAVAILABLE)"
        } catch let error as RPCError {
            timeline.affectedWorkspace = "\(error.code)"
            timeline.affectedWorkspaceUnavailable = error.code == .unavailable && error.message.contains("'\(config.region)'")
        }
        timeline.affectedWorkspaceTime = clock.now - probeStart
        do {
            _ = try await admin.workspace(named: Self.otherWorkspace)
            timeline.otherWorkspaceAnswered = true
        } catch {
            timeline.otherWorkspaceAnswered = false
        }

        try await clock.sleep(until: timeline.downAt + config.outage)
        self.progress("marking \(config.region) available again")
        timeline.upSent = clock.now
        try await admin.setRegionAvailability(config.region, available: true)
        timeline.upAt = clock.now
        return timeline
    }

    /// One scoring client: requests back to back until `deadline`.
    private func score(
        _ service: String, credential: String, until deadline: ContinuousClock.Instant, recorder: ChaosRecorder, index: Int
    ) async throws {
        let client = try await ModelGateClient.connect(to: self.server, credentials: nil)
        var sequence = 0
        while ContinuousClock.now < deadline {
            sequence += 1
            let body = Array(#"{"client": \#(index), "n": \#(sequence)}"#.utf8)
            let start = ContinuousClock.now
            var failure: String?
            do {
                let answer = try await client.score(
                    workspace: Self.workspace, service: service, body: body, key: credential, timeout: .seconds(10)
                )
                // run() returns raw_data, which the harness sends back as a JSON string.
                let echoed = try? JSONDecoder().decode(String.self, from: Data(answer.body))
                if answer.httpStatus >= 400 || echoed != String(decoding: body, as: UTF8.self) {
                    failure = "HTTP \(answer.httpStatus): \(String(decoding: answer.body.prefix(200), as: UTF8.self))"
                }
            } catch let error as RPCError {
                failure = "\(error.code): \(error.message)"
            } catch {
                failure = "\(error)"
            }
            recorder.record(ChaosRecorder.Scoring(service: service, start: start, end: ContinuousClock.now, failure: failure))
        }
        await client.close()
    }

    /// One token client: fetches, pauses, fetches again, until `deadline`.
    private func fetchTokens(as credentials: Credentials, until deadline: ContinuousClock.Instant, recorder: ChaosRecorder) async throws {
        let client = try await ModelGateClient.connect(to: self.server, credentials: credentials)
        while ContinuousClock.now < deadline {
            let start = ContinuousClock.now
            do {
                _ = try await client.serviceToken(workspace: Self.workspace, service: Self.tokenService)
                recorder.record(ChaosRecorder.TokenFetch(start: start, end: ContinuousClock.now, code: nil, message: ""))
            } catch let error as RPCError {
                recorder.record(ChaosRecorder.TokenFetch(start: start, end: ContinuousClock.now, code: error.code, message: error.message))
            } catch {
                recorder.record(ChaosRecorder.TokenFetch(start: start, end: ContinuousClock.now, code: .unknown, message: "\(error)"))
            }
            try? await Task.sleep(for: self.configuration.tokenInterval)
        }
        await client.close()
    }

    private func deploymentConfig(tokenAuth: Bool) -> DeploymentConfig {
        var config = DeploymentConfig()
        config.computeType = .aks
        config.computeTargetName = Self.compute
        config.cpuCores = 0.1
        config.memoryGb = 0.25
        config.autoscaleEnabled = .disabled
        config.numReplicas = 1
        // Every client's request is taken at once: the run measures auth, not queueing.
        config.replicaMaxConcurrentRequests = UInt32(max(4, self.configuration.scoringClients * 2))
        config.maxRequestWaitTimeMs = 5_000
        config.authEnabled = tokenAuth ? .disabled : .enabled
        config.tokenAuthEnabled = tokenAuth ? .enabled : .disabled
        return config
    }

    private static func echoInferenceConfig() throws -> InferenceConfig {
        let directory = NSTemporaryDirectory() + "modelgate-chaos-source-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(Self.echoScript.utf8).write(to: URL(fileURLWithPath: directory + "/score.py"))
        var inference = InferenceConfig()
        inference.entryScript = "score.py"
        inference.sourceArchive = try SourceArchive.pack(directory: directory).bytes
        return inference
    }
}
