internal import Foundation
internal import ModelGateAPI
internal import NIOCore

extension ReplicaPool {
    /// The pool's state. Every transition happens under the pool's lock and
    /// returns what must be done outside it (resume waiters, finish streams).
    /// Events are emitted under the lock so that every subscriber sees them
    /// in the order the transitions happened.
    struct StateMachine: ~Copyable {
        enum Phase {
            /// Replicas start and serve. Can transition to `failed` or `stopping`.
            case running
            /// The deployment failed; requests are refused. Can transition to `stopping`.
            case failed(String)
            /// ``ReplicaPool/stop()`` drains. Can transition to `stopped`.
            case stopping
            /// Everything has exited. Final.
            case stopped
        }

        struct Replica {
            let id: String
            var status = ReplicaState.pending
            var generation: UInt64 = 0
            var connection: ReplicaConnection?
            var handle: (any ReplicaHandle)?
            var exit = OneShotSignal<ReplicaExitStatus>()
            /// Where its supervisor listens, while it runs or waits to restart.
            var signals: AsyncStream<Signal>.Continuation?
            var inFlight = 0
            var restarts = 0
            var lastExit: ReplicaExitStatus?
            var startedAtUnixMs: Int64 = 0
            var readyAt: ContinuousClock.Instant?
            var message = ""
            /// Crashed (or failed its probes) and not ready again yet: the pool is unhealthy meanwhile.
            var recovering = false
            /// Scaled down or stopping: gets no new requests and is not restarted.
            var removing = false
            /// Missed a readiness probe: gets no new requests until it answers again, but is not killed.
            var outOfRotation = false
            var processID: Int32?
        }

        let serviceName: String
        let version: String
        let maxConcurrent: Int
        let maxQueueLength: Int
        let maxRequestWait: Duration
        /// How long a request that woke a scaled-to-zero pool waits for its
        /// replica: the scoring timeout, as `max_request_wait_time` is shorter
        /// than any cold start.
        let coldStartWait: Duration
        let replicaIDPrefix: String
        let clock: WallClock

        var phase = Phase.running
        var everHealthy = false
        var desired: Int
        var replicas: [String: Replica] = [:]
        var order: [String] = []
        var nextReplicaNumber = 1
        var waiters = KeyedFIFO<Waiter>()
        var nextWaiterID: UInt64 = 0
        /// Whether the queue's one wait timer is scheduled (see ``ReplicaPool``).
        var waitTimerArmed = false
        var cursor = 0
        var reportedState = ReplicaPoolState.transitioning
        var stateMessage = ""
        var drained: OneShotSignal<Void>?
        /// When a request found the pool scaled to zero and started a replica; nil once one is ready.
        var coldStartBegan: ContinuousClock.Instant?
        /// When the last cold start ended: requests that waited through it
        /// count their `max_request_wait_time` from here.
        var coldStartEnded: ContinuousClock.Instant?

        var requestsTotal: UInt64 = 0
        var errorsTotal: UInt64 = 0
        var rejectedTotal: UInt64 = 0
        var latency = LatencyHistogram()

        var history: [ReplicaPoolEvent] = []
        var subscribers: [UInt64: AsyncStream<ReplicaPoolEvent>.Continuation] = [:]
        var nextSubscriberID: UInt64 = 0

        static let historyLimit = 1_000
        static let latencyBoundsMs: [Double] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000]

        init(configuration: ReplicaPoolConfiguration, clock: WallClock) {
            self.serviceName = configuration.serviceName
            self.version = configuration.version
            self.maxConcurrent = max(1, configuration.maxConcurrentRequestsPerReplica)
            self.maxQueueLength = max(0, configuration.maxQueueLength)
            self.maxRequestWait = configuration.maxRequestWait
            self.coldStartWait = max(configuration.scoringTimeout, configuration.maxRequestWait)
            self.replicaIDPrefix = configuration.replicaIDPrefix
            self.clock = clock
            self.desired = max(0, configuration.replicas)
            self.latency.boundsMs = Self.latencyBoundsMs
            self.latency.counts = Array(repeating: 0, count: Self.latencyBoundsMs.count + 1)
        }

        // MARK: Requests

        enum AcquireOutcome {
            case leased(Lease)
            case failed(RPCError)
            /// No free slot; the request waits. `armTimer`: the queue's timer
            /// is not running and the caller must start it. `coldStart`: the
            /// pool was scaled to zero and this replica was added for the
            /// request; the caller must supervise it.
            case queued(armTimer: Bool, coldStart: String? = nil)
        }

        /// Takes a free slot, or queues `waiter` (when given) if there is none.
        mutating func acquire(waiterID: UInt64? = nil, waiter: Waiter? = nil) -> AcquireOutcome {
            switch self.phase {
            case .running:
                break
            case .failed(let reason):
                return .failed(RPCError(code: .unavailable, message: "service '\(self.serviceName)' failed to deploy: \(reason)"))
            case .stopping, .stopped:
                return .failed(RPCError(code: .unavailable, message: "service '\(self.serviceName)' is shutting down"))
            }
            if let lease = self.takeFreeSlot() {
                self.requestsTotal += 1
                return .leased(lease)
            }
            guard let waiterID, let waiter else { return .queued(armTimer: false) }
            guard self.waiters.count < self.maxQueueLength else {
                self.requestsTotal += 1
                self.rejectedTotal += 1
                self.errorsTotal += 1
                return .failed(RPCError(
                    code: .resourceExhausted,
                    message: "service '\(self.serviceName)' is overloaded: \(self.waiters.count) requests already wait for a free replica (limit \(self.maxQueueLength))"
                ))
            }
            self.requestsTotal += 1
            self.waiters.push(waiter, key: waiterID)
            let armTimer = !self.waitTimerArmed
            self.waitTimerArmed = true
            var coldStart: String?
            if self.desired == 0 {
                // Scaled to zero: start one replica now instead of failing; the autoscaler takes it from there.
                self.desired = 1
                self.coldStartBegan = waiter.enqueuedAt
                coldStart = self.addReplica()
                self.updateState()
            }
            return .queued(armTimer: armTimer, coldStart: coldStart)
        }

        /// Fails the waiters that have waited `maxRequestWait`, oldest first
        /// (when the queue's timer fires).
        ///
        /// - Returns: the expired waiters with their errors, and when the timer
        ///   must fire next (nil: the queue is empty and the timer stops).
        mutating func expireWaiters(now: ContinuousClock.Instant) -> ([(Waiter, RPCError)], Duration?) {
            var expired: [(Waiter, RPCError)] = []
            while let oldest = self.waiters.peekFirst(), now >= self.expiry(of: oldest) {
                _ = self.waiters.popFirst()
                expired.append((oldest, self.waitTimedOut()))
            }
            if !expired.isEmpty { self.checkDrained() }
            guard let oldest = self.waiters.peekFirst() else {
                self.waitTimerArmed = false
                return (expired, nil)
            }
            // During a cold start, look again at least every maxRequestWait: when
            // it ends, the waiters' limit shrinks to the usual one.
            return (expired, max(.milliseconds(1), min(self.expiry(of: oldest) - now, self.maxRequestWait)))
        }

        /// When a waiter gives up: `maxRequestWait` after it queued, or after the
        /// cold start it waited through ended; `coldStartWait` during a cold start.
        /// Monotonic in queue order, so the oldest always expires first.
        private func expiry(of waiter: Waiter) -> ContinuousClock.Instant {
            if self.coldStartBegan != nil { return waiter.enqueuedAt + self.coldStartWait }
            if let ended = self.coldStartEnded, ended > waiter.enqueuedAt { return ended + self.maxRequestWait }
            return waiter.enqueuedAt + self.maxRequestWait
        }

        /// Removes a queued request that gave up (timed out or cancelled).
        mutating func removeWaiter(_ id: UInt64) -> Waiter? {
            let waiter = self.waiters.remove(key: id)
            if waiter != nil { self.checkDrained() }
            return waiter
        }

        /// The error for a request that waited `maxRequestWait` in vain; counts it.
        mutating func waitTimedOut() -> RPCError {
            self.rejectedTotal += 1
            self.errorsTotal += 1
            let limit = "max_request_wait_time of \(self.maxRequestWait.milliseconds) ms"
            let ready = self.readyCount
            if self.coldStartBegan != nil {
                return RPCError(
                    code: .unavailable,
                    message: "service '\(self.serviceName)' was scaled to zero and its replica did not become ready within \(self.coldStartWait.milliseconds) ms"
                )
            }
            if ready == 0 {
                let why = self.stateMessage.isEmpty ? "" : " (\(self.stateMessage))"
                return RPCError(
                    code: .unavailable,
                    message: "service '\(self.serviceName)' has no ready replica\(why); gave up after \(limit)"
                )
            }
            return RPCError(
                code: .resourceExhausted,
                message: "no replica of service '\(self.serviceName)' became free within \(limit) (\(ready) replicas × \(self.maxConcurrent) concurrent requests busy, \(self.waiters.count) more waiting)"
            )
        }

        /// Frees `lease`'s slot and hands it to the next waiter, if any.
        ///
        /// - Returns: waiters to resume with their leases.
        mutating func release(_ lease: Lease, failed: Bool, latency: Duration?) -> [(Waiter, Lease)] {
            if failed { self.errorsTotal += 1 }
            if let latency { self.record(latency) }
            guard var replica = self.replicas[lease.replicaID], replica.generation == lease.generation else {
                self.checkDrained()
                return []
            }
            replica.inFlight = max(0, replica.inFlight - 1)
            self.replicas[lease.replicaID] = replica
            let handoffs = self.dispatchQueued(to: lease.replicaID)
            self.checkDrained()
            return handoffs
        }

        private mutating func record(_ latency: Duration) {
            let milliseconds = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
            self.latency.count += 1
            self.latency.sumMs += milliseconds
            let bucket = self.latency.boundsMs.firstIndex { milliseconds <= $0 } ?? self.latency.boundsMs.count
            self.latency.counts[bucket] += 1
        }

        /// The least-loaded ready replica with a free slot (ties taken in turn).
        private mutating func takeFreeSlot() -> Lease? {
            var best: Replica?
            let count = self.order.count
            guard count > 0 else { return nil }
            for step in 0..<count {
                let id = self.order[(self.cursor + step) % count]
                guard let replica = self.replicas[id], replica.status == .ready, !replica.removing, !replica.outOfRotation,
                    replica.inFlight < self.maxConcurrent, replica.connection != nil
                else { continue }
                if let current = best, current.inFlight <= replica.inFlight { continue }
                best = replica
                if replica.inFlight == 0 { break }
            }
            guard var chosen = best, let connection = chosen.connection else { return nil }
            self.cursor = (self.cursor + 1) % count
            chosen.inFlight += 1
            self.replicas[chosen.id] = chosen
            return Lease(replicaID: chosen.id, generation: chosen.generation, connection: connection, exit: chosen.exit)
        }

        /// Gives `replicaID`'s free slots to queued requests, front first.
        private mutating func dispatchQueued(to replicaID: String) -> [(Waiter, Lease)] {
            guard var replica = self.replicas[replicaID], replica.status == .ready, !replica.removing, !replica.outOfRotation,
                let connection = replica.connection
            else { return [] }
            var handoffs: [(Waiter, Lease)] = []
            while replica.inFlight < self.maxConcurrent, let waiter = self.waiters.popFirst() {
                replica.inFlight += 1
                handoffs.append((waiter, Lease(replicaID: replicaID, generation: replica.generation, connection: connection, exit: replica.exit)))
            }
            self.replicas[replicaID] = replica
            return handoffs
        }

        private mutating func checkDrained() {
            guard case .stopping = self.phase, let drained = self.drained else { return }
            if self.waiters.isEmpty, self.replicas.values.allSatisfy({ $0.inFlight == 0 }) {
                drained.complete(())
            }
        }

        var isRunning: Bool {
            if case .running = self.phase { return true }
            return false
        }

        var readyCount: Int {
            self.replicas.values.count { $0.status == .ready && !$0.removing && !$0.outOfRotation }
        }

        // MARK: Replicas

        /// Adds a replica record and returns its id.
        mutating func addReplica() -> String {
            let id = "\(self.replicaIDPrefix)\(self.nextReplicaNumber)"
            self.nextReplicaNumber += 1
            self.replicas[id] = Replica(id: id)
            self.order.append(id)
            self.emit(.replicaScheduled, replica: id, "Replica \(id) scheduled")
            return id
        }

        /// Whether the supervisor of `id` should start (or restart) it; if so,
        /// the replica gets a new generation and signal stream.
        mutating func prepareLaunch(_ id: String, signals: AsyncStream<Signal>.Continuation) -> Bool {
            guard case .running = self.phase, var replica = self.replicas[id], !replica.removing else { return false }
            replica.generation += 1
            replica.exit = OneShotSignal()
            replica.signals = signals
            replica.status = .starting
            replica.inFlight = 0
            replica.connection = nil
            replica.handle = nil
            replica.processID = nil
            replica.readyAt = nil
            replica.outOfRotation = false
            self.replicas[id] = replica
            return true
        }

        /// The process runs. Returns false if the pool stopped meanwhile (the
        /// supervisor then drains it at once).
        mutating func processStarted(_ id: String, handle: any ReplicaHandle) -> Bool {
            guard var replica = self.replicas[id] else { return false }
            replica.handle = handle
            replica.processID = handle.processID
            replica.startedAtUnixMs = self.clock.now().millisecondsSince1970
            replica.message = "running init()"
            self.replicas[id] = replica
            let pid = handle.processID.map { " (pid \($0))" } ?? ""
            self.emit(.processStarted(processID: handle.processID), replica: id, "Replica \(id) started\(pid); loading the entry script and running init()")
            return !replica.removing && self.isRunning
        }

        /// READY (and the readiness probes passed): the replica takes requests, queued ones first.
        ///
        /// - Returns: waiters to resume, and how long the cold start took when
        ///   this replica ended one.
        mutating func replicaReady(
            _ id: String, connection: ReplicaConnection, initMilliseconds: Double
        ) -> (handoffs: [(Waiter, Lease)], coldStart: Duration?) {
            guard var replica = self.replicas[id] else { return ([], nil) }
            replica.connection = connection
            replica.status = .ready
            replica.recovering = false
            replica.message = ""
            replica.readyAt = .now
            self.replicas[id] = replica
            let ready = self.readyCount
            self.emit(
                .replicaReady(initMilliseconds: initMilliseconds), replica: id,
                "Replica \(id) is ready (init() took \(Self.format(milliseconds: initMilliseconds))); \(ready) of \(self.desired) replicas ready"
            )
            var coldStart: Duration?
            if let began = self.coldStartBegan {
                let now = ContinuousClock.now
                coldStart = now - began
                self.coldStartBegan = nil
                self.coldStartEnded = now
            }
            self.updateState()
            return (self.dispatchQueued(to: id), coldStart)
        }

        /// The readiness probes took the replica out of service (`inRotation`
        /// false: it keeps running, gets no new requests, and the pool is
        /// unhealthy meanwhile) or put it back.
        ///
        /// - Returns: queued requests it takes on coming back.
        mutating func setInRotation(_ id: String, _ inRotation: Bool, reason: String) -> [(Waiter, Lease)] {
            guard var replica = self.replicas[id], replica.status == .ready, !replica.removing,
                replica.outOfRotation == inRotation
            else { return [] }
            replica.outOfRotation = !inRotation
            replica.recovering = !inRotation
            replica.message = inRotation ? "" : reason
            self.replicas[id] = replica
            self.emit(
                .stateChanged, replica: id,
                inRotation ? "Replica \(id) answers its readiness probes again" : "Replica \(id) \(reason); no new requests until it answers"
            )
            self.updateState()
            return inRotation ? self.dispatchQueued(to: id) : []
        }

        /// Where the supervisor of a lease's replica listens, if that process still runs.
        func signals(of lease: Lease) -> AsyncStream<Signal>.Continuation? {
            guard let replica = self.replicas[lease.replicaID], replica.generation == lease.generation else { return nil }
            return replica.signals
        }

        /// A request found its replica's connection closed, or its `run()` hung,
        /// which the supervisor acts on a moment later: no new requests go there meanwhile.
        mutating func takeOutOfService(_ lease: Lease, reason: String) {
            guard let replica = self.replicas[lease.replicaID], replica.generation == lease.generation,
                replica.connection != nil
            else { return }
            self.replicaUnavailable(lease.replicaID, reason: reason)
        }

        /// The connection closed or the probes failed: no new requests go to it.
        mutating func replicaUnavailable(_ id: String, reason: String, livenessFailed: Bool = false) {
            guard var replica = self.replicas[id] else { return }
            replica.connection = nil
            if replica.status == .ready { replica.status = replica.removing ? .draining : .crashed }
            if !replica.removing { replica.recovering = true }
            replica.message = reason
            self.replicas[id] = replica
            if livenessFailed { self.emit(.livenessFailed, replica: id, "Replica \(id) failed its liveness probe: \(reason); killing it") }
            self.updateState()
        }

        enum ExitDecision {
            /// Start it again after this wait.
            case restart(after: Duration)
            /// It is gone for good (removed or the pool is stopping).
            case stop
            /// The deployment failed: stop every replica, fail every queued request.
            case failPool(signals: [AsyncStream<Signal>.Continuation], waiters: [Waiter], error: RPCError)
        }

        /// The process ended. `initFailure` is set when it never became ready.
        /// - Parameter status: how the process ended; nil when none was started.
        mutating func replicaExited(
            _ id: String, status: ReplicaExitStatus?, initFailure: (error: String, traceback: String)?, backoff: Duration
        ) -> ExitDecision {
            guard var replica = self.replicas[id] else { return .stop }
            if let status {
                replica.exit.complete(status)
                replica.lastExit = status
            }
            replica.connection = nil
            replica.handle = nil
            replica.signals = nil
            let wasReady = replica.readyAt != nil
            self.replicas[id] = replica
            if let status { self.emit(.replicaExited(status), replica: id, "Replica \(id) \(status)") }

            let running = self.isRunning
            if let initFailure {
                let detail = initFailure.traceback.isEmpty ? "" : "\n\(initFailure.traceback)"
                self.emit(
                    .initFailed(error: initFailure.error, traceback: initFailure.traceback), replica: id,
                    "Replica \(id) failed to start: \(initFailure.error)\(detail)"
                )
                if running, !self.everHealthy, !replica.removing {
                    return self.fail(reason: "replica \(id) failed to start: \(initFailure.error)")
                }
            }
            if !running || replica.removing {
                replica.status = .stopped
                replica.recovering = false
                replica.message = ""
                self.replicas[id] = replica
                if replica.removing { self.removeRecord(id) }
                self.emit(.replicaStopped, replica: id, "Replica \(id) stopped")
                self.updateState()
                return .stop
            }
            replica.status = .crashed
            replica.recovering = true
            replica.restarts += 1
            let exited = status.map(\.description) ?? "did not start"
            replica.message = initFailure.map { "failed to start: \($0.error)" } ?? (wasReady ? "\(exited); restarting" : "\(exited) before it was ready; restarting")
            self.replicas[id] = replica
            self.emit(.replicaRestarting(after: backoff), replica: id, "Restarting replica \(id) in \(Self.format(milliseconds: Double(backoff.milliseconds)))")
            self.updateState()
            return .restart(after: backoff)
        }

        /// The launch itself failed (no interpreter, no runtime).
        mutating func launchFailed(_ id: String, error: String, backoff: Duration) -> ExitDecision {
            guard var replica = self.replicas[id] else { return .stop }
            replica.signals = nil
            self.replicas[id] = replica
            let running = self.isRunning
            if running, !self.everHealthy, !replica.removing {
                self.emit(.initFailed(error: error, traceback: ""), replica: id, "Replica \(id) could not be started: \(error)")
                return self.fail(reason: error)
            }
            return self.replicaExited(id, status: nil, initFailure: (error, ""), backoff: backoff)
        }

        /// The supervisor of `id` is done with it.
        mutating func supervisorFinished(_ id: String) {
            guard var replica = self.replicas[id] else { return }
            replica.signals = nil
            if replica.status != .stopped {
                replica.status = .stopped
                self.replicas[id] = replica
            }
            if replica.removing { self.removeRecord(id) }
        }

        /// The signal stream of a replica that waits to restart (backoff).
        mutating func waitingToRestart(_ id: String, signals: AsyncStream<Signal>.Continuation) -> Bool {
            guard case .running = self.phase, var replica = self.replicas[id], !replica.removing else { return false }
            replica.signals = signals
            self.replicas[id] = replica
            return true
        }

        private mutating func removeRecord(_ id: String) {
            self.replicas[id] = nil
            self.order.removeAll { $0 == id }
            if !self.order.isEmpty { self.cursor %= self.order.count } else { self.cursor = 0 }
        }

        /// Marks the pool failed: its replicas are to stop, its queued requests to fail.
        private mutating func fail(reason: String) -> ExitDecision {
            self.phase = .failed(reason)
            self.stateMessage = reason
            self.updateState()
            let error = RPCError(code: .unavailable, message: "service '\(self.serviceName)' failed to deploy: \(reason)")
            return .failPool(signals: self.replicas.values.compactMap(\.signals), waiters: self.waiters.removeAll(), error: error)
        }

        // MARK: Scaling and stopping

        /// Sets the replica count: adds replicas, or marks the surplus for removal.
        ///
        /// - Returns: ids to supervise, and supervisors to tell to drain.
        mutating func resize(to count: Int) -> (added: [String], drained: [AsyncStream<Signal>.Continuation]) {
            guard case .running = self.phase else { return ([], []) }
            self.desired = max(0, count)
            var active = self.order.filter { self.replicas[$0]?.removing == false }
            var added: [String] = []
            while active.count < self.desired {
                let id = self.addReplica()
                active.append(id)
                added.append(id)
            }
            var drained: [AsyncStream<Signal>.Continuation] = []
            if active.count > self.desired {
                // Remove the least useful first: not ready, then the least busy.
                let victims = active.sorted { lhs, rhs in
                    let left = self.replicas[lhs], right = self.replicas[rhs]
                    let leftReady = left?.status == .ready, rightReady = right?.status == .ready
                    if leftReady != rightReady { return !leftReady }
                    return (left?.inFlight ?? 0) < (right?.inFlight ?? 0)
                }.prefix(active.count - self.desired)
                for id in victims {
                    guard var replica = self.replicas[id] else { continue }
                    replica.removing = true
                    replica.recovering = false
                    if replica.status == .ready { replica.status = .draining }
                    self.replicas[id] = replica
                    if let signals = replica.signals { drained.append(signals) }
                }
            }
            self.updateState()
            return (added, drained)
        }

        /// Starts stopping: new requests are refused, queued and running ones finish.
        mutating func beginStop(drained: OneShotSignal<Void>) -> Bool {
            switch self.phase {
            case .stopping, .stopped:
                return false
            case .running, .failed:
                self.phase = .stopping
                self.drained = drained
                self.updateState()
                self.checkDrained()
                return true
            }
        }

        /// Marks every replica for removal; returns their supervisors to drain
        /// and the waiters still queued (to fail).
        mutating func drainAll() -> ([AsyncStream<Signal>.Continuation], [Waiter]) {
            var signals: [AsyncStream<Signal>.Continuation] = []
            for id in self.order {
                guard var replica = self.replicas[id] else { continue }
                replica.removing = true
                if replica.status == .ready { replica.status = .draining }
                self.replicas[id] = replica
                if let signal = replica.signals { signals.append(signal) }
            }
            return (signals, self.waiters.removeAll())
        }

        /// Everything has exited; returns the event subscribers to finish.
        mutating func finishStop() -> [AsyncStream<ReplicaPoolEvent>.Continuation] {
            self.phase = .stopped
            self.updateState()
            defer { self.subscribers = [:] }
            return Array(self.subscribers.values)
        }

        // MARK: State and events

        func currentState() -> ReplicaPoolState {
            switch self.phase {
            case .failed: return .failed
            case .stopping: return .stopping
            case .stopped: return .stopped
            case .running: break
            }
            let active = self.replicas.values.filter { !$0.removing }
            if active.contains(where: \.recovering) { return self.everHealthy ? .unhealthy : .transitioning }
            return active.count { $0.status == .ready } >= self.desired ? .healthy : .transitioning
        }

        /// Recomputes the state; emits `stateChanged` when it changed.
        mutating func updateState() {
            let state = self.currentState()
            if state == .healthy { self.everHealthy = true }
            switch state {
            case .healthy, .stopping, .stopped, .transitioning:
                if case .failed = self.phase {} else { self.stateMessage = "" }
            case .unhealthy:
                let recovering = self.order.compactMap { self.replicas[$0] }.filter(\.recovering)
                self.stateMessage = recovering.map { "replica \($0.id) \($0.message)" }.joined(separator: "; ")
            case .failed:
                break
            }
            guard state != self.reportedState else { return }
            self.reportedState = state
            let why = self.stateMessage.isEmpty ? "" : ": \(self.stateMessage)"
            self.emit(.stateChanged, replica: "", "Service '\(self.serviceName)' is \(state)\(why)")
        }

        mutating func emit(_ kind: ReplicaPoolEvent.Kind, replica: String, _ message: String) {
            let event = ReplicaPoolEvent(
                kind: kind, replicaID: replica, state: self.reportedState, readyReplicas: self.readyCount,
                desiredReplicas: self.desired, message: message, timestampUnixMs: self.clock.now().millisecondsSince1970
            )
            self.history.append(event)
            if self.history.count > Self.historyLimit { self.history.removeFirst(self.history.count - Self.historyLimit) }
            for subscriber in self.subscribers.values { subscriber.yield(event) }
        }

        mutating func subscribe(_ continuation: AsyncStream<ReplicaPoolEvent>.Continuation) -> UInt64? {
            for event in self.history { continuation.yield(event) }
            if case .stopped = self.phase { return nil }
            let id = self.nextSubscriberID
            self.nextSubscriberID += 1
            self.subscribers[id] = continuation
            return id
        }

        func snapshot() -> ReplicaPoolSnapshot {
            let replicas = self.order.compactMap { self.replicas[$0] }
            let statuses = replicas.map { replica -> ReplicaStatus in
                var status = ReplicaStatus()
                status.replicaID = replica.id
                status.version = self.version
                status.state = replica.status
                status.inFlight = UInt32(replica.inFlight)
                status.startedAtUnixMs = replica.startedAtUnixMs
                status.restarts = UInt32(replica.restarts)
                status.lastExitCode = replica.lastExit?.wireCode ?? 0
                status.message = replica.message
                return status
            }
            return ReplicaPoolSnapshot(
                serviceName: self.serviceName, version: self.version, state: self.currentState(), message: self.stateMessage,
                desiredReplicas: self.desired, readyReplicas: self.readyCount, replicas: statuses,
                inFlight: replicas.reduce(0) { $0 + $1.inFlight },
                busyReplicas: replicas.count { $0.status == .ready && $0.inFlight > 0 },
                queueDepth: self.waiters.count, requestsTotal: self.requestsTotal, errorsTotal: self.errorsTotal,
                rejectedTotal: self.rejectedTotal, latency: self.latency
            )
        }

        static func format(milliseconds: Double) -> String {
            milliseconds >= 1000 ? String(format: "%.1f s", milliseconds / 1000) : String(format: "%.0f ms", milliseconds)
        }
    }
}
