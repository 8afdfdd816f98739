internal import Logging
internal import ModelGateAPI
internal import NIOCore
internal import Synchronization

/// The replicas of one service version, and the requests they serve.
///
/// A request takes a free slot (each replica runs up to
/// `replica_max_concurrent_requests` at once; the least busy ready replica is
/// chosen) or waits in a bounded FIFO queue at most `max_request_wait_time`
/// (`RESOURCE_EXHAUSTED`, or `UNAVAILABLE` when no replica is ready at all).
/// It then runs at most `scoring_timeout_ms` (`DEADLINE_EXCEEDED`, and CANCEL
/// to the replica). A caller that gives up (its task is cancelled) leaves the
/// queue, or CANCELs its request on the replica.
///
/// A supervisor per replica starts it through the ``ReplicaBackend``, waits
/// for READY, probes it with PINGs, and restarts it with exponential backoff
/// when it dies; the requests it was running fail with `UNAVAILABLE` ("replica
/// r-2 exited with signal 9"), and the pool is `Unhealthy` until it is back.
/// A script that fails to import or whose `init()` raises during the first
/// deployment makes the pool `Failed`: nothing is restarted, requests fail
/// with the reason, and the traceback is in ``events()`` and the logs.
///
/// ```swift
/// let pool = ReplicaPool(configuration: configuration, backend: backend, logs: logs,
///                        eventLoopGroup: group, logger: logger)
/// group.addTask { await pool.run() }          // supervises until stopped
/// let state = await pool.waitUntilSettled()   // .healthy or .failed
/// let response = try await pool.score(ReplicaRequest(body: Array(#"{"data": [1]}"#.utf8)))
/// await pool.stop()                           // drains, then stops every replica
/// ```
///
/// The request path takes one short lock to lease a slot and one to return
/// it; it does no I/O besides the replica's socket and logs nothing above
/// `debug`.
final class ReplicaPool: Sendable {
    let configuration: ReplicaPoolConfiguration
    /// The service's log buffer: the replicas' output and the pool's own lines.
    let logs: ServiceLogBuffer
    let backend: any ReplicaBackend
    let logger: Logger
    /// Runs the pool's timers (queue waits, backoffs, startup limits), its
    /// replicas' connections and its request path (``taskExecutor``).
    let eventLoop: any EventLoop
    /// The request path's executor: ``eventLoop`` (see ``EventLoopTaskExecutor``).
    /// Only the pool's own steps run there: starting `ScoreStream`'s
    /// per-request tasks on it too was faster for steady streams but queued a
    /// burst's hand-overs behind every new request's start on that one loop, so
    /// a burst of 1,000 waited past `max_request_wait_time`.
    private let taskExecutor: EventLoopTaskExecutor
    let state: Mutex<StateMachine>
    let commands: AsyncStream<Command>.Continuation
    private let commandStream: AsyncStream<Command>
    /// Requests, errors, latency and cold starts for Prometheus; nil: none.
    let metrics: EndpointMetrics?
    private let hasRun = Atomic<Bool>(false)
    private let finished = OneShotSignal<Void>()

    /// Extra time, beyond the scoring timeout, given to the replica's own
    /// timeout answer before the server gives up on it.
    static let timeoutSlack: Duration = .milliseconds(250)
    /// How long a request on a replica that dropped its connection waits to
    /// learn how the process ended, for its error message.
    static let exitReportWait: Duration = .seconds(2)

    enum Command: Sendable {
        case supervise(String)
    }

    /// Prepares the pool; ``run()`` starts the replicas.
    init(
        configuration: ReplicaPoolConfiguration, backend: any ReplicaBackend, logs: ServiceLogBuffer,
        eventLoopGroup: any EventLoopGroup, logger: Logger, clock: WallClock = .system, metrics: EndpointMetrics? = nil
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.logs = logs
        self.backend = backend
        var logger = logger
        logger[metadataKey: "service.name"] = "\(configuration.serviceName)"
        if !configuration.version.isEmpty { logger[metadataKey: "service.version"] = "\(configuration.version)" }
        self.logger = logger
        self.eventLoop = eventLoopGroup.next()
        self.taskExecutor = EventLoopTaskExecutor(eventLoop: self.eventLoop)
        (self.commandStream, self.commands) = AsyncStream.makeStream(of: Command.self)
        var machine = StateMachine(configuration: configuration, clock: clock)
        for _ in 0..<machine.desired {
            self.commands.yield(.supervise(machine.addReplica()))
        }
        machine.updateState()
        self.state = Mutex(machine)
    }

    // MARK: Life cycle

    /// Supervises the replicas until ``stop()`` has stopped them all.
    ///
    /// Run it in a task that lives as long as the pool (a child of the
    /// reconciler's task group). Cancelling it kills every replica at once
    /// (SIGKILL) instead of draining.
    func run() async {
        guard self.hasRun.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            fatalError("ReplicaPool.run() should only be called once")
        }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for await command in self.commandStream {
                    switch command {
                    case .supervise(let id):
                        group.addTask { await self.supervise(id) }
                    }
                }
            }
        } onCancel: {
            let handles = self.state.withLock { $0.replicas.values.compactMap(\.handle) }
            for handle in handles { handle.kill() }
            self.commands.finish()
        }
        self.finishStop()
    }

    /// Stops the pool gracefully: new requests are refused (`UNAVAILABLE`),
    /// queued and running ones get up to ``ReplicaPoolConfiguration/drainTimeout``
    /// to finish, then every replica gets GOAWAY (it finishes what it still
    /// has, then exits) and is killed if it outlives the timeout. Returns when
    /// every replica has exited and ``run()`` has returned.
    func stop() async {
        let drained = OneShotSignal<Void>()
        let first = self.state.withLock { $0.beginStop(drained: drained) }
        if first {
            self.logger.info("Stopping replica pool")
            _ = await drained.wait(timeout: self.configuration.drainTimeout, on: self.eventLoop)
            let (signals, waiters) = self.state.withLock { $0.drainAll() }
            let error = RPCError(code: .unavailable, message: "service '\(self.configuration.serviceName)' is shutting down")
            for waiter in waiters {
                waiter.continuation.resume(throwing: error)
            }
            for signal in signals { signal.yield(.drain) }
            self.commands.finish()
            if !self.hasRun.load(ordering: .relaxed) { self.finishStop() }
        }
        _ = await self.finished.wait(on: self.eventLoop)
    }

    private func finishStop() {
        let subscribers = self.state.withLock { $0.finishStop() }
        for subscriber in subscribers { subscriber.finish() }
        self.finished.complete(())
    }

    /// Sets the number of replicas (the autoscaler's lever). New replicas start
    /// at once; surplus ones (not-ready ones first, then the least busy) stop
    /// taking requests, finish the ones they run, and exit.
    func resize(to count: Int) {
        let (added, drained) = self.state.withLock { $0.resize(to: count) }
        for id in added { self.commands.yield(.supervise(id)) }
        for signal in drained { signal.yield(.drain) }
    }

    // MARK: Observing

    /// Requests the pool runs at once now: replicas wanted × requests per replica.
    var capacity: Int { self.state.withLock { $0.desired * $0.maxConcurrent } }

    /// The pool's state now.
    var currentState: ReplicaPoolState { self.state.withLock { $0.currentState() } }

    /// State, replicas, load and counters now.
    var snapshot: ReplicaPoolSnapshot { self.state.withLock { $0.snapshot() } }

    /// Every event so far (the last 1,000), then each new one; ends when the
    /// pool has stopped.
    func events() -> AsyncStream<ReplicaPoolEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ReplicaPoolEvent.self)
        if let id = self.state.withLock({ $0.subscribe(continuation) }) {
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return stream
    }

    /// Waits until the pool leaves `Transitioning` (every replica ready, or a
    /// failure) and returns the state it reached; `stopped` if it stopped first.
    @discardableResult
    func waitUntilSettled() async -> ReplicaPoolState {
        // The stream replays history first; the state now is what counts, so
        // each event (old or new) is only a cue to look at it again.
        for await _ in self.events() {
            let state = self.currentState
            if state != .transitioning { return state }
        }
        return self.currentState
    }

    // MARK: Scoring

    /// Runs one request on a free replica.
    ///
    /// - Parameters:
    ///   - request: what `run()` gets; its ``ReplicaRequest/timeout`` (the
    ///     caller's `timeout_ms`) can only shorten the scoring timeout.
    ///   - deadline: when the caller stops waiting; also shortens the timeout
    ///     the replica is given.
    /// - Returns: the replica's answer, also when `run()` raised; see
    ///   ``ReplicaResponse/failure(serviceName:)``.
    /// - Throws: ``RPCError`` `RESOURCE_EXHAUSTED` (no free replica in time, or
    ///   the queue is full), `UNAVAILABLE` (no ready replica, the replica died,
    ///   the pool failed or is stopping), `DEADLINE_EXCEEDED` (`run()` outlived
    ///   the scoring timeout, by the replica's clock or the server's), `INTERNAL`
    ///   (a malformed answer); or
    ///   `CancellationError` when the calling task was cancelled.
    func score(_ request: ReplicaRequest, deadline: ContinuousClock.Instant? = nil) async throws -> ReplicaResponse {
        try await withTaskExecutorPreference(self.taskExecutor) {
            try await self.scoreOnEventLoop(request, deadline: deadline)
        }
    }

    /// ``score(_:deadline:)`` on the pool's event loop.
    private func scoreOnEventLoop(_ request: ReplicaRequest, deadline: ContinuousClock.Instant?) async throws -> ReplicaResponse {
        let received = ContinuousClock.now
        let lease: Lease
        do {
            lease = try await self.lease()
        } catch {
            self.metrics?.recordRequest(code: Self.code(of: error), latency: nil)
            throw error
        }
        let dispatched = ContinuousClock.now
        var request = request
        var timeout = self.configuration.scoringTimeout
        if let requested = request.timeout, requested > .zero, requested < timeout { timeout = requested }
        if let deadline, deadline - dispatched < timeout { timeout = max(deadline - dispatched, .milliseconds(1)) }
        request.timeout = timeout
        var response: ReplicaResponse
        do {
            response = try await lease.connection.score(request, timeout: timeout + Self.timeoutSlack)
        } catch {
            // Out of service before the slot is freed: else a queued request is handed the same replica.
            if case ReplicaConnectionError.closed(let reason) = error {
                self.state.withLock { $0.takeOutOfService(lease, reason: reason) }
            }
            if case ReplicaConnectionError.timedOut = error { self.recycle(lease, timeout: timeout) }
            self.release(lease, failed: !(error is CancellationError), latency: nil)
            let rpcError = await self.rpcError(for: error, lease: lease, timeout: timeout)
            self.metrics?.recordRequest(code: Self.code(of: rpcError), latency: nil)
            throw rpcError
        }
        response.queueWait = dispatched - received
        let failure = response.failure(serviceName: self.configuration.serviceName)
        let latency = ContinuousClock.now - received
        if response.timedOut { self.recycle(lease, timeout: timeout) }
        self.release(lease, failed: failure != nil, latency: latency)
        self.metrics?.recordRequest(code: failure?.code ?? .ok, latency: latency)
        if response.timedOut {
            // The replica's own timeout answer: the same error as when the server gives up first.
            throw Self.scoringTimeoutError(timeout, replicaID: lease.replicaID)
        }
        return response
    }

    /// The status code a failed request ends with, for the error metrics.
    private static func code(of error: any Error) -> StatusCode {
        switch error {
        case let error as RPCError: error.code
        case is CancellationError: .cancelled
        default: .internal
        }
    }

    /// Restarts the replica of a request whose `run()` outlived the scoring timeout.
    ///
    /// The harness cannot stop a running `run()` (a Python thread cannot be
    /// killed): the call keeps its worker thread, so the slot the pool now counts
    /// as free is not, and every request sent there would wait behind the hung
    /// call until it timed out too. Killing the process (as gunicorn kills a
    /// worker past its timeout) frees the slot for real; its supervisor starts it
    /// again. It is out of service at once, before its slot is freed.
    private func recycle(_ lease: Lease, timeout: Duration) {
        let reason = "ran run() past the scoring timeout of \(timeout.milliseconds) ms"
        let signals = self.state.withLock { state in
            defer { state.takeOutOfService(lease, reason: reason) }
            return state.signals(of: lease)
        }
        signals?.yield(.recycle(reason))
    }

    /// Takes a free slot, waiting in the queue if there is none.
    private func lease() async throws -> Lease {
        var waiterID: UInt64 = 0
        let first = self.state.withLock { state -> StateMachine.AcquireOutcome in
            let outcome = state.acquire()
            if case .queued = outcome {
                waiterID = state.nextWaiterID
                state.nextWaiterID += 1
            }
            return outcome
        }
        switch first {
        case .leased(let lease): return lease
        case .failed(let error): throw error
        case .queued: break
        }
        let id = waiterID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                let waiter = Waiter(continuation: continuation, enqueuedAt: .now)
                let outcome = self.state.withLock { state -> StateMachine.AcquireOutcome? in
                    // Checked under the lock the cancellation handler takes.
                    if Task.isCancelled { return nil }
                    return state.acquire(waiterID: id, waiter: waiter)
                }
                switch outcome {
                case nil:
                    continuation.resume(throwing: CancellationError())
                case .leased(let lease):
                    continuation.resume(returning: lease)
                case .failed(let error):
                    continuation.resume(throwing: error)
                case .queued(let armTimer, let coldStart):
                    if let coldStart {
                        // Scaled to zero: this request woke the pool and waits for the replica it starts.
                        self.commands.yield(.supervise(coldStart))
                        self.systemLog(coldStart, "a request arrived with no replica running (scaled to zero); starting replica \(coldStart)")
                        self.logger.info("Cold start", metadata: ["replica.id": "\(coldStart)"])
                    }
                    if armTimer { self.armWaitTimer(in: self.configuration.maxRequestWait) }
                }
            }
        } onCancel: {
            if let waiter = self.state.withLock({ $0.removeWaiter(id) }) {
                waiter.continuation.resume(throwing: CancellationError())
            }
        }
    }

    /// Schedules the queue's one timer. Waiters leave in order and all wait
    /// the same `maxRequestWait`, so the oldest always expires first: one
    /// timer, re-armed for the next oldest when it fires, replaces a timer per
    /// queued request (each of which cost a wake-up of the event loop to
    /// schedule and another to cancel).
    private func armWaitTimer(in delay: Duration) {
        self.eventLoop.scheduleTask(in: TimeAmount(delay)) { self.waitTimerFired() }
    }

    private func waitTimerFired() {
        let (expired, next) = self.state.withLock { $0.expireWaiters(now: .now) }
        for (waiter, error) in expired { waiter.continuation.resume(throwing: error) }
        if let next { self.armWaitTimer(in: next) }
    }

    private func release(_ lease: Lease, failed: Bool, latency: Duration?) {
        let handoffs = self.state.withLock { $0.release(lease, failed: failed, latency: latency) }
        Self.resume(handoffs)
    }

    static func resume(_ handoffs: [(Waiter, Lease)]) {
        for (waiter, lease) in handoffs {
            waiter.continuation.resume(returning: lease)
        }
    }

    static func scoringTimeoutError(_ timeout: Duration, replicaID: String) -> RPCError {
        RPCError(
            code: .deadlineExceeded,
            message: "run() did not finish within the scoring timeout of \(timeout.milliseconds) ms on replica \(replicaID)"
        )
    }

    /// The error a caller gets when its replica gave no answer.
    private func rpcError(for error: any Error, lease: Lease, timeout: Duration) async -> any Error {
        switch error {
        case is CancellationError:
            return error
        case ReplicaConnectionError.timedOut:
            return Self.scoringTimeoutError(timeout, replicaID: lease.replicaID)
        case ReplicaConnectionError.closed(let reason):
            // The socket closes as the process dies, a moment before its exit is reaped.
            if let status = await lease.exit.wait(timeout: Self.exitReportWait, on: self.eventLoop) {
                return RPCError(code: .unavailable, message: "replica \(lease.replicaID) \(status)")
            }
            return RPCError(code: .unavailable, message: reason)
        case ReplicaConnectionError.notReady:
            return RPCError(code: .unavailable, message: "replica \(lease.replicaID) is not ready")
        case let error as ReplicaProtocolError:
            return RPCError(code: .internal, message: "replica \(lease.replicaID) sent a malformed answer: \(error.message)")
        default:
            return RPCError(code: .internal, message: "replica \(lease.replicaID) failed: \(error)")
        }
    }
}
