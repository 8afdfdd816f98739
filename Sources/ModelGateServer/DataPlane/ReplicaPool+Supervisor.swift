internal import Logging
internal import ModelGateAPI
internal import NIOCore
internal import Synchronization

extension ReplicaPool {
    /// What the supervisor of one replica is told, in the order it happened:
    /// by the process (exit), its connection, timers, and the pool (drain).
    enum Signal: Sendable {
        case exited(ReplicaExitStatus)
        case connected(ReplicaConnection, ReplicaHello)
        case connectionFailed(String)
        case connectionClosed(String)
        case startupTimedOut
        case livenessFailed(String)
        /// The replica can no longer serve (over its memory limit, or a `run()` still
        /// busy past the scoring timeout): kill it and start it again.
        case recycle(String)
        /// The probes put it in rotation (true: `success_threshold` answered in
        /// a row) or took it out (false: one went unanswered; the reason).
        case readiness(Bool, String)
        /// Stop this replica (scale-down or pool stop): GOAWAY, then terminate.
        case drain
        /// A wait ran out: the restart backoff, or the wait for the connection's word after an exit.
        case backoffElapsed
    }

    /// How one start of a replica ended.
    struct Incarnation {
        var status: ReplicaExitStatus
        /// Set when it never became ready: INIT_FAILED's error and traceback, or why not.
        var initFailure: (error: String, traceback: String)?
        /// How long it was ready, if it was.
        var uptime: Duration?
        /// Whether it was asked to stop (scale-down, pool stop or failure).
        var drained: Bool
    }

    /// Starts replica `id`, restarts it whenever it dies, and returns once it
    /// is stopped for good (removed, the pool stopped or failed).
    func supervise(_ id: String) async {
        defer { self.state.withLock { $0.supervisorFinished(id) } }
        var backoff = self.configuration.restartBackoff
        while !Task.isCancelled {
            let (signals, continuation) = AsyncStream.makeStream(of: Signal.self)
            guard self.state.withLock({ $0.prepareLaunch(id, signals: continuation) }) else { return }
            let spec = ReplicaLaunchSpec(
                replicaID: id, serviceName: self.configuration.serviceName, version: self.configuration.version,
                program: self.configuration.program,
                maxConcurrentRequests: max(1, self.configuration.maxConcurrentRequestsPerReplica),
                maxFrameBytes: self.configuration.maxFrameBytes, logs: self.logs, eventLoop: self.eventLoop
            )
            let handle: any ReplicaHandle
            do {
                handle = try await self.backend.launch(spec)
            } catch {
                let message = (error as? RPCError)?.message ?? "\(error)"
                self.systemLog(id, "replica \(id) could not be started: \(message)")
                self.logger.error("Replica could not be started", metadata: ["replica.id": "\(id)", "error": "\(message)"])
                let decision = self.state.withLock { $0.launchFailed(id, error: message, backoff: backoff) }
                guard await self.follow(decision, replicaID: id) else { return }
                backoff = self.nextBackoff(after: backoff)
                continue
            }
            if !self.state.withLock({ $0.processStarted(id, handle: handle) }) || Task.isCancelled {
                continuation.yield(.drain)
            }
            self.systemLog(id, "replica \(id) started" + (handle.processID.map { " (pid \($0))" } ?? ""))

            let incarnation = await self.run(handle, id: id, signals: signals, continuation: continuation)

            if let uptime = incarnation.uptime, uptime >= self.configuration.backoffResetAfter {
                backoff = self.configuration.restartBackoff
            }
            let decision = self.state.withLock {
                $0.replicaExited(id, status: incarnation.status, initFailure: incarnation.initFailure, backoff: backoff)
            }
            self.report(incarnation, replicaID: id, decision: decision)
            guard await self.follow(decision, replicaID: id) else { return }
            backoff = self.nextBackoff(after: backoff)
        }
    }

    /// Runs one start of a replica until its process exits: waits for READY
    /// (or INIT_FAILED, or the startup timeout), puts it in service, probes it,
    /// and stops it when told to.
    private func run(
        _ handle: any ReplicaHandle, id: String, signals: AsyncStream<Signal>, continuation: AsyncStream<Signal>.Continuation
    ) async -> Incarnation {
        let launchedAt = ContinuousClock.now
        return await withDiscardingTaskGroup(returning: Incarnation.self) { group in
            group.addTask { continuation.yield(.exited(await handle.exitStatus())) }
            group.addTask {
                do {
                    let connection = try await handle.connection()
                    let hello = try await connection.hello()
                    continuation.yield(.connected(connection, hello))
                    await connection.waitUntilClosed()
                    continuation.yield(.connectionClosed(connection.closedReason ?? "replica \(id) closed its connection"))
                } catch {
                    continuation.yield(.connectionFailed("\(error)"))
                }
            }
            let startupTimeout = self.configuration.startupTimeout
            let startupTimer = self.eventLoop.scheduleTask(in: TimeAmount(startupTimeout)) {
                continuation.yield(.startupTimedOut)
            }
            defer { startupTimer.cancel() }

            var status: ReplicaExitStatus?
            var initFailure: (error: String, traceback: String)?
            var readyAt: ContinuousClock.Instant?
            var connection: ReplicaConnection?
            /// READY's report, until the readiness probes put the replica in service.
            var pendingReady: ReplicaHello.Ready?
            var inService = false
            var draining = false
            // Whether the connection said how start-up went (READY, INIT_FAILED) or
            // failed: the harness exits right after INIT_FAILED, so its exit may be
            // seen before the frame is read, and the traceback must not be lost.
            var connectionSettled = false
            signalLoop: for await signal in signals {
                switch signal {
                case .exited(let exit):
                    status = exit
                    if connectionSettled || readyAt != nil || initFailure != nil { break signalLoop }
                    // The connection task ends soon after the exit (the socket closes); bounded anyway.
                    _ = self.eventLoop.scheduleTask(in: .seconds(3)) { continuation.yield(.backoffElapsed) }
                case .connected(let connected, .ready(let ready)):
                    connectionSettled = true
                    if status != nil { break signalLoop }
                    startupTimer.cancel()
                    guard !draining else {
                        connected.goAway()
                        continue
                    }
                    connection = connected
                    readyAt = .now
                    pendingReady = ready
                    // Traffic comes once the readiness probes pass (the first one is sent at once).
                    group.addTask { await self.probe(connected, launchedAt: launchedAt, continuation: continuation) }
                    if let limit = self.configuration.memoryLimitBytes, let pid = handle.processID {
                        group.addTask { await self.watchMemory(of: pid, limit: limit, continuation: continuation) }
                    }
                case .readiness(let ready, let reason):
                    guard let connected = connection, !draining else { continue }
                    if ready, !inService, let report = pendingReady {
                        inService = true
                        pendingReady = nil
                        let (handoffs, coldStart) = self.state.withLock {
                            $0.replicaReady(id, connection: connected, initMilliseconds: report.initMilliseconds)
                        }
                        Self.resume(handoffs)
                        self.logger.info("Replica ready", metadata: [
                            "replica.id": "\(id)", "replica.init_ms": "\(report.initMilliseconds)", "replica.python": "\(report.python)",
                        ])
                        if let coldStart {
                            self.metrics?.recordColdStart(coldStart)
                            self.systemLog(id, "cold start: replica \(id) is ready \(StateMachine.format(milliseconds: Double(coldStart.milliseconds))) after the request that woke the service")
                        }
                    } else if inService {
                        let handoffs = self.state.withLock { $0.setInRotation(id, ready, reason: reason) }
                        Self.resume(handoffs)
                        self.systemLog(id, ready ? "replica \(id) answers its readiness probes again; back in service" : "replica \(id) \(reason); no new requests until it answers again")
                    }
                case .connected(_, .initFailed(let error, let traceback)):
                    connectionSettled = true
                    startupTimer.cancel()
                    initFailure = (error, traceback)
                    if status != nil { break signalLoop }
                    // The harness exits by itself (code 3) after INIT_FAILED.
                    group.addTask { await self.kill(handle, after: self.configuration.terminationGrace) }
                case .connectionFailed, .connectionClosed:
                    connectionSettled = true
                    if status != nil { break signalLoop }
                    if readyAt != nil, case .connectionClosed(let reason) = signal {
                        self.state.withLock { $0.replicaUnavailable(id, reason: reason) }
                    }
                    // The harness exits when its socket closes; make sure it does.
                    group.addTask { await self.kill(handle, after: self.configuration.terminationGrace) }
                case .startupTimedOut:
                    guard readyAt == nil, initFailure == nil, !draining, status == nil else { continue }
                    initFailure = ("did not become ready within the startup timeout of \(startupTimeout)", "")
                    handle.kill()
                case .livenessFailed(let reason):
                    self.state.withLock { $0.replicaUnavailable(id, reason: reason, livenessFailed: true) }
                    self.systemLog(id, "replica \(id) failed its liveness probe (\(reason)); killing it")
                    self.logger.warning("Replica failed its liveness probe", metadata: ["replica.id": "\(id)", "reason": "\(reason)"])
                    handle.kill()
                case .recycle(let reason):
                    guard status == nil, !draining else { continue }
                    self.state.withLock { $0.replicaUnavailable(id, reason: reason) }
                    self.systemLog(id, "replica \(id) \(reason); killing it")
                    self.logger.warning("Replica recycled", metadata: ["replica.id": "\(id)", "reason": "\(reason)"])
                    handle.kill()
                case .drain:
                    guard !draining else { continue }
                    draining = true
                    let grace = self.configuration.terminationGrace
                    if let connection {
                        connection.goAway()
                        let drainTimeout = self.configuration.drainTimeout
                        group.addTask {
                            guard (try? await Task.sleep(for: drainTimeout)) != nil else { return }
                            await handle.terminate(grace: grace)
                        }
                    } else {
                        group.addTask { await handle.terminate(grace: grace) }
                    }
                case .backoffElapsed:
                    // Only scheduled after an exit: stop waiting for the connection's word.
                    if status != nil { break signalLoop }
                }
            }
            if status == nil {
                // The pool's task was cancelled: no drain, the process goes now.
                handle.kill()
                status = await handle.exitStatus()
            }
            group.cancelAll()
            let exit = status ?? .exited(code: -1)
            if readyAt == nil, initFailure == nil, !draining {
                initFailure = ("the replica \(exit) before it was ready\(self.lastErrorLines(of: id))", "")
            }
            return Incarnation(
                status: exit, initFailure: draining ? nil : initFailure, uptime: readyAt.map { .now - $0 }, drained: draining
            )
        }
    }

    /// Probes a replica that sent READY, with one PING every period (the
    /// first at once), for readiness and liveness, as Kubernetes does with
    /// Azure's probe settings:
    /// - readiness: `success_threshold` answers in a row put it in service; a
    ///   missed answer takes it out (no new requests) without killing it;
    /// - liveness: `failure_threshold` misses in a row, once `initial_delay`
    ///   has passed since the process started, and it is killed and replaced.
    private func probe(_ connection: ReplicaConnection, launchedAt: ContinuousClock.Instant, continuation: AsyncStream<Signal>.Continuation) async {
        let period = self.configuration.livenessPeriod
        let timeout = self.configuration.livenessTimeout
        let failureThreshold = max(1, self.configuration.livenessFailureThreshold)
        let successThreshold = max(1, self.configuration.probeSuccessThreshold)
        let initialDelay = self.configuration.livenessInitialDelay
        var successes = 0
        var failures = 0
        var ready = false
        var first = true
        while true {
            if !first {
                guard (try? await Task.sleep(for: period)) != nil else { return }
            }
            first = false
            do {
                _ = try await connection.ping(timeout: timeout)
                successes += 1
                failures = 0
            } catch ReplicaConnectionError.closed {
                return
            } catch {
                failures += 1
                successes = 0
            }
            if failures == 0 {
                if !ready, successes >= successThreshold {
                    ready = true
                    continuation.yield(.readiness(true, ""))
                }
                continue
            }
            if ready {
                ready = false
                continuation.yield(.readiness(false, "missed its readiness probe (no answer within \(timeout))"))
            }
            if failures >= failureThreshold, ContinuousClock.now - launchedAt >= initialDelay {
                continuation.yield(.livenessFailed("\(failures) liveness probes in a row got no answer within \(timeout)"))
                return
            }
        }
    }

    /// Compares a ready replica's resident memory with its limit every
    /// ``ReplicaPoolConfiguration/memoryCheckInterval``; past it, tells the supervisor.
    /// Without this a leaking `score.py` grows until the machine runs out of memory.
    private func watchMemory(of pid: Int32, limit: UInt64, continuation: AsyncStream<Signal>.Continuation) async {
        let interval = self.configuration.memoryCheckInterval
        while true {
            guard (try? await Task.sleep(for: interval)) != nil else { return }
            guard let resident = ReplicaMemory.residentBytes(of: pid) else { return }
            if resident > limit {
                continuation.yield(.recycle(
                    "exceeded its memory limit of \(ReplicaMemory.mebibytes(limit)) (resident \(ReplicaMemory.mebibytes(resident)))"
                ))
                return
            }
        }
    }

    /// Acts on what the state machine decided after an exit; returns whether
    /// to start the replica again.
    private func follow(_ decision: StateMachine.ExitDecision, replicaID id: String) async -> Bool {
        switch decision {
        case .stop:
            return false
        case .failPool(let signals, let waiters, let error):
            self.logger.error("Deployment failed", metadata: ["error": "\(error.message)"])
            for waiter in waiters {
                waiter.continuation.resume(throwing: error)
            }
            for signal in signals { signal.yield(.drain) }
            return false
        case .restart(let delay):
            let (stream, continuation) = AsyncStream.makeStream(of: Signal.self)
            guard self.state.withLock({ $0.waitingToRestart(id, signals: continuation) }) else { return false }
            let timer = self.eventLoop.scheduleTask(in: TimeAmount(delay)) { continuation.yield(.backoffElapsed) }
            defer { timer.cancel() }
            for await signal in stream {
                switch signal {
                case .backoffElapsed: return true
                case .drain: return false
                default: continue
                }
            }
            return false
        }
    }

    private func report(_ incarnation: Incarnation, replicaID id: String, decision: StateMachine.ExitDecision) {
        var line = "replica \(id) \(incarnation.status)"
        switch decision {
        case .restart(let delay): line += "; restarting in \(StateMachine.format(milliseconds: Double(delay.milliseconds)))"
        case .failPool(_, _, let error): line += "; \(error.message)"
        case .stop: break
        }
        if let failure = incarnation.initFailure { line += " (failed to start: \(failure.error))" }
        self.systemLog(id, line)
        if incarnation.drained {
            self.logger.debug("Replica stopped", metadata: ["replica.id": "\(id)", "replica.exit": "\(incarnation.status)"])
        } else {
            self.logger.warning("Replica exited", metadata: ["replica.id": "\(id)", "replica.exit": "\(incarnation.status)"])
        }
    }

    private func kill(_ handle: any ReplicaHandle, after grace: Duration) async {
        guard (try? await Task.sleep(for: grace)) != nil else { return }
        handle.kill()
    }

    private func nextBackoff(after backoff: Duration) -> Duration {
        min(backoff * 2, self.configuration.maxRestartBackoff)
    }

    /// The replica's last stderr lines, to explain an early exit.
    private func lastErrorLines(of id: String) -> String {
        var filter = ServiceLogFilter()
        filter.replicaID = id
        filter.sources = [.stderr]
        let lines = self.logs.tail(5, matching: filter).map(\.text)
        return lines.isEmpty ? "" : ":\n" + lines.joined(separator: "\n")
    }

    /// Writes one of the pool's own lines to the service's log.
    func systemLog(_ replicaID: String, _ text: String) {
        self.logs.append(replicaID: replicaID, version: self.configuration.version, source: .system, text: text)
    }
}
