import Foundation
import ModelGateAPI
import ModelGateRPC
@testable import ModelGateServer
import NIOPosix
import Synchronization
import Testing

/// Scoring and logs over the wire: a real server (`ModelGateServerApp` on
/// 127.0.0.1, port 0) whose registry serves a pool of real Python replicas.
@Suite("Scoring over the wire", .timeLimit(.minutes(1)))
struct ScoringEndToEndTests {
    static let keys = ServiceKeys(primary: "primary-0123456789abcdefghijklmnopqrstuvwxyz", secondary: "secondary-0123456789abcdefghijklmnopqrstuvwxy")

    @Test("Score answers with the primary or the secondary key; a wrong or missing key is UNAUTHENTICATED")
    func scoreChecksKeys() async throws {
        try await Self.serving("echo.py") { server, _ in
            for key in [Self.keys.primary, Self.keys.secondary] {
                let response = try await Self.score(server, "hello", metadata: ["authorization": "Bearer \(key)"])
                #expect(response.code == .ok)
                #expect(try JSONDecoder().decode(String.self, from: Data(response.body)) == "hello")
                #expect(response.httpStatus == 200)
                #expect(response.contentType == "application/json")
                #expect(response.replicaID == "r-1")
                #expect(response.latencyMicros > 0)
            }
            for metadata in [["authorization": "Bearer not-the-key"], [:]] {
                let error = await rpcError { _ = try await Self.score(server, "hello", metadata: metadata) }
                #expect(error?.code == .unauthenticated)
                #expect(error?.message.contains("ws/svc") == true)
            }
        }
    }

    @Test("A failed Score is the call's status: INTERNAL with run()'s exception; unknown services are NOT_FOUND")
    func scoreFailuresAreStatuses() async throws {
        try await Self.serving("raising.py") { server, auth in
            let failed = await rpcError { _ = try await Self.score(server, "boom", metadata: auth) }
            #expect(failed?.code == .internal)
            #expect(failed?.message.contains("ValueError: cannot score boom") == true)
            let fine = try await Self.score(server, "fine", metadata: auth)
            #expect(fine.code == .ok)

            var request = ScoreRequest()
            request.workspace = "ws"
            request.service = "nope"
            let missing = await rpcError {
                let _: ScoreResponse = try await server.client.unary(ModelGateMethods.Scoring.score, request, metadata: auth)
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("ScoreStream answers 1,000 requests on one call, each matched by its request_id")
    func scoreStreamAnswersEveryRequest() async throws {
        try await Self.serving("echo.py", replicas: 2, maxConcurrent: 2) { server, auth in
            let count = 1_000
            let answers = try await server.client.bidirectional(
                ModelGateMethods.Scoring.scoreStream, metadata: auth,
                requestType: ScoreRequest.self, responseType: ScoreResponse.self
            ) { sender, responses in
                try await withThrowingTaskGroup(of: [String: ScoreResponse].self) { group in
                    group.addTask {
                        for index in 0..<count {
                            try await sender.send(Self.request("body-\(index)", id: "id-\(index)"))
                        }
                        try await sender.finish()
                        return [:]
                    }
                    group.addTask {
                        var answers: [String: ScoreResponse] = [:]
                        for try await response in responses { answers[response.requestID] = response }
                        return answers
                    }
                    return try await group.reduce(into: [:]) { $0.merge($1) { first, _ in first } }
                }
            }

            #expect(answers.count == count)
            for index in 0..<count {
                let answer = try #require(answers["id-\(index)"])
                #expect(answer.code == .ok, "\(answer.message)")
                #expect(String(decoding: answer.body, as: UTF8.self) == "\"body-\(index)\"")
            }
            #expect(Set(answers.values.map(\.replicaID)) == ["r-1", "r-2"])
        }
    }

    @Test("A ScoreStream client that does not read its responses stops being read from")
    func scoreStreamAppliesBackpressure() async throws {
        try await Self.serving("echo.py") { server, auth in
            let body = String(repeating: "x", count: 64 * 1024)
            let total = 300
            let sent = Counter()
            let answered = try await server.client.bidirectional(
                ModelGateMethods.Scoring.scoreStream, metadata: auth,
                requestType: ScoreRequest.self, responseType: ScoreResponse.self
            ) { sender, responses in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        for index in 0..<total {
                            try await sender.send(Self.request(body, id: "\(index)"))
                            sent.increment()
                        }
                        try await sender.finish()
                        return 0
                    }
                    // Given a client that reads nothing for a while, the server
                    // stops reading its requests: the sends stall.
                    try await Task.sleep(for: .milliseconds(1500))
                    let sentWhileNotReading = sent.value
                    #expect(sentWhileNotReading < 100, "\(sentWhileNotReading) of \(total) requests were taken in")
                    // Then reading resumes and everything is answered.
                    var count = 0
                    for try await response in responses {
                        #expect(response.code == .ok)
                        count += 1
                    }
                    return try await group.reduce(count, +)
                }
            }
            #expect(answered == total)
        }
    }

    @Test("On ScoreStream a failed request fails only its own response")
    func scoreStreamFailuresAreInBand() async throws {
        try await Self.serving("raising.py") { server, auth in
            let answers = try await server.client.bidirectional(
                ModelGateMethods.Scoring.scoreStream, metadata: auth,
                requestType: ScoreRequest.self, responseType: ScoreResponse.self
            ) { sender, responses in
                try await sender.send(Self.request("boom", id: "bad"))
                try await sender.send(Self.request("fine", id: "good"))
                var missingID = Self.request("fine", id: "")
                missingID.requestID = ""
                try await sender.send(missingID)
                try await sender.finish()
                var answers: [String: ScoreResponse] = [:]
                for try await response in responses { answers[response.requestID] = response }
                return answers
            }

            #expect(answers["bad"]?.code == .internal)
            #expect(answers["bad"]?.message.contains("cannot score boom") == true)
            #expect(answers["good"]?.code == .ok)
            #expect(answers[""]?.code == .invalidArgument)
        }
    }

    @Test("Health reports each deployed service's state and load")
    func healthReportsServices() async throws {
        try await Self.serving("echo.py") { server, auth in
            _ = try await Self.score(server, "x", metadata: auth)
            var request = HealthRequest()
            request.serviceName = "ws/svc"

            let health: HealthResponse = try await server.client.unary(ModelGateMethods.Scoring.health, request)

            #expect(health.status == .serving)
            let service = try #require(health.services.first)
            #expect(service.name == "ws/svc")
            #expect(service.state == .healthy)
            #expect(service.metrics.first?.requestsTotal == 1)
            #expect(service.metrics.first?.replicas == 1)
            let all: HealthResponse = try await server.client.unary(ModelGateMethods.Scoring.health, HealthRequest())
            #expect(all.services.map(\.name) == ["ws/svc"])
        }
    }

    @Test("GetLogs returns the tail of the script's output and follows new lines")
    func getLogsTailsAndFollows() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let deployments = try await Deployments.prepare(server)
            var config = DeploymentConfig()
            config.computeType = .aci
            try await deployments.deployAndWait("svc", archive: try Deployments.archive(script: "echo.py"), config: config)
            let admin = deployments.auth
            var request = GetLogsRequest()
            request.workspace = deployments.workspace
            request.name = "svc"
            request.tailLines = 100

            // Tail: init()'s print is there, with the replica's id.
            var tail: [LogLine] = []
            for try await batch in server.client.serverStreaming(ModelGateMethods.Deployment.getLogs, request, metadata: admin, as: GetLogsResponse.self) {
                tail += batch.lines
            }
            let initLine = try #require(tail.first { $0.text == "echo score.py: init done" })
            #expect(initLine.replicaID == "r1-1")
            #expect(initLine.source == .stdout)
            #expect(initLine.timestampUnixMs > 0)

            // Follow: a line printed by run() after the follow started arrives.
            request.follow = true
            request.tailLines = 1
            let followed = server.client.serverStreaming(ModelGateMethods.Deployment.getLogs, request, metadata: admin, as: GetLogsResponse.self)
            var iterator = followed.makeAsyncIterator()
            _ = try await iterator.next()  // the backlog
            _ = try await deployments.score("svc", "12345", key: nil)
            var seen: [String] = []
            while !seen.contains("echo score.py: scored 5 characters"), let batch = try await iterator.next() {
                seen += batch.lines.map(\.text)
            }
            #expect(seen.contains("echo score.py: scored 5 characters"))

            // Without a role on the workspace's principal token: refused before anything is read.
            let anonymous = await rpcError {
                for try await _ in server.client.serverStreaming(ModelGateMethods.Deployment.getLogs, request, as: GetLogsResponse.self) {}
            }
            #expect(anonymous?.code == .unauthenticated)
        }
    }

    @Test("Score's overhead over the replica's run() time is small (p50 reported)")
    func scoreLatencyOverhead() async throws {
        try await Self.serving("echo.py") { server, auth in
            for _ in 0..<50 { _ = try await Self.score(server, "warm-up", metadata: auth) }
            var total: [Double] = []
            var run: [Double] = []
            for _ in 0..<300 {
                let start = ContinuousClock.now
                let response = try await Self.score(server, "{\"data\": [1, 2, 3]}", metadata: auth)
                let elapsed = ContinuousClock.now - start
                total.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                run.append(Double(response.headers["x-ms-run-fn-exec-ms"] ?? "0") ?? 0)
            }
            // The same requests straight into the pool: what the replica round trip costs without the RPC layer.
            let pool = try #require(server.app.servingRegistry.entry(workspace: "ws", service: "svc")?.pool)
            var direct: [Double] = []
            for _ in 0..<300 {
                let start = ContinuousClock.now
                _ = try await pool.score("{\"data\": [1, 2, 3]}")
                let elapsed = ContinuousClock.now - start
                direct.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            }
            // And a call that does no scoring at all: the RPC round trip alone.
            var health: [Double] = []
            for _ in 0..<300 {
                let start = ContinuousClock.now
                let _: HealthResponse = try await server.client.unary(ModelGateMethods.Scoring.health, HealthRequest())
                let elapsed = ContinuousClock.now - start
                health.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            }
            let healthP50 = health.sorted()[health.count / 2]
            let p50 = total.sorted()[total.count / 2]
            let p99 = total.sorted()[total.count * 99 / 100]
            let runP50 = run.sorted()[run.count / 2]
            let poolP50 = direct.sorted()[direct.count / 2]
            print(
                "Score latency: over the wire p50 \(p50) ms, p99 \(p99) ms; pool.score p50 \(poolP50) ms; replica run() p50 \(runP50) ms; Health p50 \(healthP50) ms"
            )
            #expect(p50 - runP50 < 20)
        }
    }

    // MARK: Helpers

    /// Starts a server, serves `script` as `ws/svc` with key auth, and runs `body`
    /// with the server and the primary key's metadata.
    static func serving(
        _ script: String, replicas: Int = 1, maxConcurrent: Int = 1,
        _ body: (RunningServer, [String: String]) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path + "/data") { server in
            let program = try ServedScript.program(for: script, in: directory.path)
            var configuration = ServedScript.configuration(program: program, replicas: replicas)
            configuration.serviceName = "ws/svc"
            configuration.maxConcurrentRequestsPerReplica = maxConcurrent
            let pool = ReplicaPool(
                configuration: configuration, backend: server.app.replicaBackend, logs: ServiceLogBuffer(),
                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: quietLogger
            )
            let authenticator = KeyAuthenticator(serviceName: "ws/svc", keys: Self.keys)
            server.app.servingRegistry.register(ServingEntry(workspace: "ws", service: "svc", pool: pool, auth: .keys(authenticator)))
            try await ServedScript.run(pool) { pool in
                #expect(await pool.waitUntilSettled() == .healthy)
                try await body(server, ["authorization": "Bearer \(Self.keys.primary)"])
            }
        }
    }

    static func request(_ body: String, id: String) -> ScoreRequest {
        var request = ScoreRequest()
        request.requestID = id
        request.workspace = "ws"
        request.service = "svc"
        request.body = Array(body.utf8)
        return request
    }

    static func score(_ server: RunningServer, _ body: String, metadata: [String: String]) async throws -> ScoreResponse {
        try await server.client.unary(ModelGateMethods.Scoring.score, Self.request(body, id: ""), metadata: metadata)
    }
}

/// Counts across tasks.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { self.count.add(1, ordering: .relaxed) }
    var value: Int { self.count.load(ordering: .relaxed) }
}
