import Foundation
import Glibc
import ModelGateAPI
@testable import ModelGateServer
import NIOPosix
import Testing

/// Real Python replicas running real `score.py` files (`Fixtures/scripts/`).
@Suite("ReplicaPool", .timeLimit(.minutes(1)))
struct ReplicaPoolTests {
    @Test("A pool of two replicas becomes Healthy and both serve an echo script")
    func twoReplicasServeEcho() async throws {
        try await ServedScript.with("echo.py", replicas: 2) { pool in
            // Given
            #expect(await pool.waitUntilSettled() == .healthy)

            // When
            let answers = try await withThrowingTaskGroup(of: (Int, ReplicaResponse).self) { group in
                for index in 0..<20 {
                    group.addTask { (index, try await pool.score("{\"n\": \(index)}")) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }

            // Then: each body comes back (as a JSON string, as Azure serialises a str), from both replicas.
            for (index, answer) in answers {
                #expect(answer.status == 200)
                #expect(answer.error == nil)
                #expect(try JSONDecoder().decode(String.self, from: Data(answer.body)) == "{\"n\": \(index)}")
            }
            #expect(Set(answers.values.map(\.replicaID)) == ["r-1", "r-2"])
            let snapshot = pool.snapshot
            #expect(snapshot.requestsTotal == 20)
            #expect(snapshot.errorsTotal == 0)
            #expect(snapshot.latency.count == 20)
            #expect(snapshot.replicas.map(\.state) == [.ready, .ready])
        }
    }

    @Test("A linear model reads its weights from AZUREML_MODEL_DIR in init() and predicts")
    func linearModelReadsModelDirectory() async throws {
        let model = #"{"weights": [2.0, -1.0, 0.5], "bias": 1.0}"#
        try await ServedScript.with("linear.py", modelFiles: ["model/linear.json": model]) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)

            let answer = try await pool.score(#"{"data": [[1, 2, 4], [0, 0, 0]]}"#)

            struct Predictions: Decodable { var predictions: [Double] }
            #expect(answer.status == 200)
            #expect(answer.headers.contains { $0.key.lowercased() == "content-type" && $0.value == "application/json" })
            #expect(try JSONDecoder().decode(Predictions.self, from: Data(answer.body)).predictions == [3.0, 1.0])
            #expect(answer.runMilliseconds >= 0)
            #expect(pool.logs.tail(0).contains { $0.text.hasPrefix("linear score.py: loaded 3 weights") && $0.source == .stdout })
        }
    }

    @Test("One replica with replica_max_concurrent_requests 2 runs two requests at once, never three")
    func concurrencyIsBoundedPerReplica() async throws {
        try await ServedScript.with("sleepy.py", configure: { $0.maxConcurrentRequestsPerReplica = 2 }) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)

            // When: four requests arrive at once.
            let answers = try await withThrowingTaskGroup(of: ReplicaResponse.self) { group in
                for _ in 0..<4 { group.addTask { try await pool.score("0.4") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            // Then: run() intervals, on the replica's own clock, overlap two at a time and never three.
            struct Interval: Decodable { var start: Double; var end: Double }
            let intervals = try answers.map { try JSONDecoder().decode(Interval.self, from: Data($0.body)) }
            let mostAtOnce = intervals.map { probe in
                intervals.count { $0.start <= probe.start && probe.start < $0.end }
            }.max()
            #expect(mostAtOnce == 2)
        }
    }

    @Test("run() raising fails that request with INTERNAL and the exception; the next one succeeds")
    func runErrorFailsOnlyItsRequest() async throws {
        try await ServedScript.with("raising.py") { pool in
            #expect(await pool.waitUntilSettled() == .healthy)

            let failed = try await pool.score("boom")
            let next = try await pool.score("fine")

            let failure = try #require(failed.failure(serviceName: "s"))
            #expect(failure.code == .internal)
            #expect(failure.message.contains("ValueError: cannot score boom"))
            #expect(failed.status == 500)
            #expect(next.status == 200)
            #expect(next.failure(serviceName: "s") == nil)
            #expect(next.text == "\"ok\"")
            // The traceback is in the logs.
            #expect(pool.logs.tail(0).contains { $0.source == .stderr && $0.text.contains("ValueError: cannot score boom") })
            #expect(pool.snapshot.errorsTotal == 1)
        }
    }

    @Test("A script that fails to load makes the pool Failed, with the traceback in events and logs", arguments: [
        ("import_error.py", "ModuleNotFoundError: No module named 'modelgate_no_such_package'"),
        ("init_error.py", "RuntimeError: model file is missing"),
    ])
    func loadFailureFailsThePool(script: String, expected: String) async throws {
        try await ServedScript.with(script, replicas: 2) { pool in
            // When
            let state = await pool.waitUntilSettled()

            // Then
            #expect(state == .failed)
            var failures: [(String, String)] = []
            for await event in pool.events() {
                if case .initFailed(let error, let traceback) = event.kind { failures.append((error, traceback)) }
                if event.state == .failed, event.kind == .stateChanged { break }
            }
            let (error, traceback) = try #require(failures.first)
            #expect(error.contains(expected))
            #expect(traceback.contains("Traceback (most recent call last)"))
            #expect(traceback.contains(expected))
            #expect(pool.logs.tail(0).contains { $0.source == .stderr && $0.text.contains(expected) })

            let refused = await rpcError { _ = try await pool.score("x") }
            #expect(refused?.code == .unavailable)
            #expect(refused?.message.contains("failed to deploy") == true)
            #expect(refused?.message.contains(expected) == true)
        }
    }

    @Test("A replica killed under load fails only its own requests and is restarted: Unhealthy, then Healthy")
    func killedReplicaIsRestarted() async throws {
        try await ServedScript.with("sleepy.py", replicas: 2) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)
            let pid = try #require(await pool.processID(of: "r-1"))
            let states = Task {
                var seen: [ReplicaPoolState] = []
                for await event in pool.events() where event.kind == .stateChanged {
                    seen.append(event.state)
                    if seen.suffix(2) == [.unhealthy, .healthy] { break }
                }
                return seen
            }

            // Given: one long request on each replica.
            async let first = Self.outcome { try await pool.score("1.5") }
            async let second = Self.outcome { try await pool.score("1.5") }
            try await Self.waitUntil { pool.snapshot.inFlight == 2 }

            // When
            kill(pid, SIGKILL)

            // Then: exactly the request on r-1 fails, naming the replica and the signal.
            let outcomes = await [first, second]
            let failures = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
            let successes = outcomes.compactMap { try? $0.get() }
            #expect(failures.count == 1)
            #expect(failures.first?.code == .unavailable)
            #expect(failures.first?.message == "replica r-1 exited with signal 9")
            #expect(successes.map(\.replicaID) == ["r-2"])

            let seen = await states.value
            #expect(seen.suffix(2) == [.unhealthy, .healthy])
            let restarted = try #require(pool.snapshot.replicas.first { $0.replicaID == "r-1" })
            #expect(restarted.restarts == 1)
            #expect(restarted.lastExitCode == -9)
            #expect(try await pool.score("0").status == 200)
            #expect(pool.logs.tail(0).contains { $0.source == .system && $0.text.contains("replica r-1 exited with signal 9; restarting") })
        }
    }

    @Test("A request that finds no free replica within max_request_wait_time fails with RESOURCE_EXHAUSTED")
    func queueWaitIsBounded() async throws {
        try await ServedScript.with("sleepy.py", configure: { $0.maxRequestWait = .milliseconds(200) }) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)
            async let busy = pool.score("1")
            try await Self.waitUntil { pool.snapshot.inFlight == 1 }

            var error: RPCError?
            let waited = try await Self.elapsed { error = await rpcError { _ = try await pool.score("0") } }

            #expect(error?.code == .resourceExhausted)
            #expect(error?.message.contains("max_request_wait_time of 200 ms") == true)
            #expect(waited >= .milliseconds(190) && waited < .milliseconds(3000), "waited \(waited)")
            #expect(try await busy.status == 200)
            #expect(pool.snapshot.rejectedTotal == 1)
        }
    }

    @Test("A request that runs longer than scoring_timeout_ms fails with DEADLINE_EXCEEDED")
    func scoringTimeoutIsEnforced() async throws {
        try await ServedScript.with("sleepy.py", configure: { $0.scoringTimeout = .milliseconds(300) }) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)

            var error: RPCError?
            let took = try await Self.elapsed { error = await rpcError { _ = try await pool.score("3") } }

            #expect(error?.code == .deadlineExceeded)
            #expect(error?.message.contains("scoring timeout of 300 ms") == true)
            #expect(took < .milliseconds(2500), "took \(took)")
        }
    }

    @Test("A run() still busy past scoring_timeout_ms gets its replica restarted; the request queued behind it waits for the new one")
    func hungRunRestartsItsReplica() async throws {
        try await ServedScript.with("sleepy.py", configure: {
            $0.scoringTimeout = .milliseconds(300)
            $0.maxRequestWait = .seconds(20)
        }) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)
            let firstPID = try #require(await pool.processID(of: "r-1"))

            // When: run() outlives the timeout (a Python thread cannot be stopped, so it keeps its slot),
            // with another request queued behind it.
            let (hung, queued) = await withTaskGroup(of: (Bool, Result<ReplicaResponse, RPCError>).self) { group in
                group.addTask { (true, await Self.outcome { try await pool.score("30") }) }
                try? await Self.waitUntil { pool.snapshot.inFlight == 1 }
                group.addTask { (false, await Self.outcome { try await pool.score("0") }) }
                var results: [Bool: Result<ReplicaResponse, RPCError>] = [:]
                for await (isHung, result) in group { results[isHung] = result }
                return (results[true], results[false])
            }

            // Then: the hung request fails, the queued one is served by the restarted replica.
            guard case .failure(let error) = hung else { Issue.record("the hung run() succeeded"); return }
            #expect(error.code == .deadlineExceeded)
            guard case .success(let response) = queued else { Issue.record("the queued request failed: \(String(describing: queued))"); return }
            #expect(response.status == 200)
            #expect(pool.snapshot.replicas.first?.restarts == 1)
            #expect(kill(firstPID, 0) != 0, "the hung process is gone")
        }
    }

    @Test("A replica past its memory limit is killed and restarted, failing only the request it was running")
    func replicaOverItsMemoryLimitIsRestarted() async throws {
        try await ServedScript.with("leaky.py", configure: { $0.memoryLimitBytes = 160 << 20 }) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)

            // When: each request keeps 32 MiB more, until the replica is restarted.
            var failures: [RPCError] = []
            var kept: [Int] = []
            for _ in 0..<12 where (pool.snapshot.replicas.first?.restarts ?? 0) == 0 {
                switch await Self.outcome({ try await pool.score("{}") }) {
                case .success(let response):
                    let answer = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Int]
                    kept.append(answer?["kept_mib"] ?? 0)
                case .failure(let error):
                    failures.append(error)
                }
                try await Task.sleep(for: .milliseconds(250))  // at least one check per request
            }

            // Then: it was killed at its limit (never far past it), only the request it ran failed, and it serves again.
            #expect((pool.snapshot.replicas.first?.restarts ?? 0) >= 1)
            #expect(kept.allSatisfy { $0 <= 160 + 32 }, "kept \(kept)")
            #expect(failures.count <= 1 && failures.allSatisfy { $0.code == .unavailable }, "\(failures)")
            #expect(pool.snapshot.replicas.first?.lastExitCode == -SIGKILL)
            await Self.waitForRestart(of: pool)
            #expect(try await pool.score("{}").status == 200)
        }
    }

    @Test("A replica killed while requests queue for it fails only the request it was running")
    func queuedRequestsAreNotHandedADeadReplica() async throws {
        try await ServedScript.with("sleepy.py", configure: { $0.maxRequestWait = .seconds(20) }) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)
            let pid = try #require(await pool.processID(of: "r-1"))

            let outcomes = await withTaskGroup(of: Result<ReplicaResponse, RPCError>.self) { group in
                // Given: one request running and three queued behind it.
                group.addTask { await Self.outcome { try await pool.score("2") } }
                try? await Self.waitUntil { pool.snapshot.inFlight == 1 }
                for _ in 0..<3 { group.addTask { await Self.outcome { try await pool.score("0") } } }
                try? await Self.waitUntil { pool.snapshot.queueDepth == 3 }

                // When: the replica dies (its queued requests must wait for its restart, not be sent to the corpse).
                kill(pid, SIGKILL)
                return await group.reduce(into: []) { $0.append($1) }
            }

            // Then
            let failures = outcomes.compactMap { outcome -> RPCError? in
                if case .failure(let error) = outcome { return error }
                return nil
            }
            #expect(failures.count == 1, "\(failures)")
            #expect(failures.allSatisfy { $0.code == .unavailable })
        }
    }

    @Test("A caller's shorter timeout wins over scoring_timeout_ms")
    func requestTimeoutShortensTheScoringTimeout() async throws {
        try await ServedScript.with("sleepy.py") { pool in
            #expect(await pool.waitUntilSettled() == .healthy)
            var request = ReplicaRequest(body: Array("3".utf8))
            request.timeout = .milliseconds(200)

            let error = await rpcError { _ = try await pool.score(request) }

            #expect(error?.code == .deadlineExceeded)
            #expect(error?.message.contains("scoring timeout of 200 ms") == true)
        }
    }

    @Test("A cancelled caller leaves the queue and does not hold a slot")
    func cancelledCallerLeavesTheQueue() async throws {
        try await ServedScript.with("sleepy.py") { pool in
            #expect(await pool.waitUntilSettled() == .healthy)
            async let busy = pool.score("0.5")
            try await Self.waitUntil { pool.snapshot.inFlight == 1 }

            let waiting = Task { try await pool.score("0") }
            try await Self.waitUntil { pool.snapshot.queueDepth == 1 }
            waiting.cancel()

            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(pool.snapshot.queueDepth == 0)
            #expect(try await busy.status == 200)
            #expect(try await pool.score("0").status == 200)
        }
    }

    @Test("Resizing adds replicas and drains surplus ones")
    func resizeAddsAndRemovesReplicas() async throws {
        try await ServedScript.with("echo.py") { pool in
            #expect(await pool.waitUntilSettled() == .healthy)

            pool.resize(to: 2)
            try await Self.waitUntil { pool.snapshot.readyReplicas == 2 && pool.currentState == .healthy }
            pool.resize(to: 1)
            try await Self.waitUntil { pool.snapshot.replicas.count == 1 }

            #expect(pool.currentState == .healthy)
            #expect(try await pool.score("still here").status == 200)
        }
    }

    @Test("stop() lets running requests finish, then refuses new ones")
    func stopDrainsInFlightRequests() async throws {
        let directory = try TemporaryDirectory()
        let program = try ServedScript.program(for: "sleepy.py", in: directory.path)
        let pool = ReplicaPool(
            configuration: ServedScript.configuration(program: program, replicas: 1), backend: try ServedScript.makeBackend(in: directory.path),
            logs: ServiceLogBuffer(), eventLoopGroup: .singletonMultiThreadedEventLoopGroup, logger: quietLogger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            #expect(await pool.waitUntilSettled() == .healthy)
            async let running = pool.score("0.5")
            try await Self.waitUntil { pool.snapshot.inFlight == 1 }

            await pool.stop()

            #expect(try await running.status == 200)
            let refused = await rpcError { _ = try await pool.score("0") }
            #expect(refused?.code == .unavailable)
            #expect(pool.currentState == .stopped)
            try await group.waitForAll()
        }
    }

    @Test("A replica that stops answering liveness probes is killed and restarted")
    func unresponsiveReplicaIsRestarted() async throws {
        try await ServedScript.with("echo.py", configure: {
            $0.livenessPeriod = .milliseconds(100)
            $0.livenessTimeout = .milliseconds(100)
            $0.livenessFailureThreshold = 2
        }) { pool in
            #expect(await pool.waitUntilSettled() == .healthy)
            let pid = try #require(await pool.processID(of: "r-1"))

            // When: the process freezes (it can neither answer PING nor exit).
            kill(pid, SIGSTOP)

            // Then
            var kinds: [ReplicaPoolEvent.Kind] = []
            for await event in pool.events() {
                kinds.append(event.kind)
                if kinds.contains(.livenessFailed), event.kind == .stateChanged, event.state == .healthy { break }
            }
            #expect(kinds.contains(.replicaExited(.signaled(SIGKILL))))
            #expect((pool.snapshot.replicas.first?.restarts ?? 0) >= 1)
            #expect(try await pool.score("after").status == 200)
        }
    }

    @Test("A replica that is not ready within the startup timeout fails the deployment")
    func startupTimeoutFailsTheDeployment() async throws {
        try await ServedScript.with("slow_init.py", configure: { $0.startupTimeout = .milliseconds(300) }) { pool in
            #expect(await pool.waitUntilSettled() == .failed)
            #expect(pool.snapshot.message.contains("did not become ready within the startup timeout of 0.3 seconds"))
        }
    }

    @Test("An interpreter that does not exist fails the deployment with the reason")
    func missingInterpreterFailsTheDeployment() async throws {
        try await ServedScript.with("echo.py", configure: { $0.program.pythonExecutable = "/nonexistent/python3" }) { pool in
            #expect(await pool.waitUntilSettled() == .failed)
            #expect(pool.snapshot.message.contains("cannot start '/nonexistent/python3': No such file or directory"))
        }
    }

    @Test("Cancelling run() kills every replica at once")
    func cancellingRunKillsReplicas() async throws {
        let directory = try TemporaryDirectory()
        let program = try ServedScript.program(for: "echo.py", in: directory.path)
        let pool = ReplicaPool(
            configuration: ServedScript.configuration(program: program, replicas: 2), backend: try ServedScript.makeBackend(in: directory.path),
            logs: ServiceLogBuffer(), eventLoopGroup: .singletonMultiThreadedEventLoopGroup, logger: quietLogger
        )
        let running = Task { await pool.run() }
        #expect(await pool.waitUntilSettled() == .healthy)
        let pids = [try #require(await pool.processID(of: "r-1")), try #require(await pool.processID(of: "r-2"))]

        running.cancel()
        await running.value

        for pid in pids {
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "process \(pid) is still there")
        }
        #expect(pool.currentState == .stopped)
    }

    // MARK: Helpers

    static func score(_ pool: ReplicaPool, _ body: String, times: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<times {
                group.addTask {
                    let status = try await pool.score(body).status
                    #expect(status == 200)
                }
            }
            try await group.waitForAll()
        }
    }

    static func elapsed(_ body: () async throws -> Void) async throws -> Duration {
        let start = ContinuousClock.now
        try await body()
        return ContinuousClock.now - start
    }

    static func outcome(_ body: () async throws -> ReplicaResponse) async -> Result<ReplicaResponse, RPCError> {
        do {
            return .success(try await body())
        } catch let error as RPCError {
            return .failure(error)
        } catch {
            return .failure(RPCError(code: .unknown, message: "\(error)"))
        }
    }

    /// Returns once a replica was killed and the pool is Healthy again.
    static func waitForRestart(of pool: ReplicaPool) async {
        var killed = false
        for await event in pool.events() {
            if event.kind == .replicaExited(.signaled(SIGKILL)) { killed = true }
            if killed, event.state == .healthy { return }
        }
    }

    /// Polls `condition` every 10 ms for up to 10 s.
    static func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<1_000 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not met within 10 s")
    }
}
