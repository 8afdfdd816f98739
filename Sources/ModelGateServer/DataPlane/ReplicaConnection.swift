internal import Logging
internal import NIOCore
internal import Synchronization

/// The server's side of one replica's Unix-socket connection: SCORE out,
/// RESULT back, CANCEL when a caller gives up, PING for liveness, GOAWAY to
/// drain (the runtime's `PROTOCOL.md`).
///
/// Frames are decoded on the channel's event loop by ``ReplicaFrameDecoder``
/// and ``ReplicaConnectionHandler``; everything else is a small mutex-guarded
/// state, so callers on any thread send requests without hopping first and
/// the event loop only resumes the waiter whose RESULT arrived.
///
/// ```swift
/// guard case .ready = try await connection.hello() else { ... }
/// let response = try await connection.score(request, timeout: .seconds(60))
/// ```
///
/// Request ids count up from 1 per connection and are never reused while in
/// flight. A RESULT for an id nobody waits for any more (cancelled, timed out)
/// is dropped: the RESULT crossed the CANCEL.
final class ReplicaConnection: Sendable {
    let replicaID: String
    let channel: any Channel
    private let logger: Logger
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var hello = HelloState.waiting([])
        /// Why the connection is closed (or closing); nil while open.
        var closedReason: String?
        /// Set by a protocol error before the close, so the close reports it.
        var failureReason: String?
        var nextRequestID: UInt32 = 1
        var pending: [UInt32: Pending] = [:]
        var nextPingID: UInt64 = 1
        var pings: [UInt64: Ping] = [:]
    }

    private enum HelloState {
        case waiting([CheckedContinuation<ReplicaHello, any Error>])
        case received(ReplicaHello)
    }

    private struct Pending {
        var continuation: CheckedContinuation<ByteBuffer, any Error>
        var timeout: Scheduled<Void>?
    }

    private struct Ping {
        var continuation: CheckedContinuation<Void, any Error>
        var timeout: Scheduled<Void>?
    }

    private init(replicaID: String, channel: any Channel, logger: Logger) {
        self.replicaID = replicaID
        self.channel = channel
        self.logger = logger
    }

    /// Adds the replica protocol's handlers to a freshly accepted channel and
    /// returns the connection. Call on the channel's event loop (in its
    /// initializer).
    ///
    /// - Parameter whenActive: called once the channel is active; a listener
    ///   closed before that would take the accepted channel down with it.
    static func install(
        on channel: any Channel, replicaID: String, maxPayload: Int, logger: Logger,
        whenActive: @escaping @Sendable () -> Void = {}
    ) throws -> ReplicaConnection {
        let connection = ReplicaConnection(replicaID: replicaID, channel: channel, logger: logger)
        let sync = channel.pipeline.syncOperations
        try sync.addHandler(
            ByteToMessageHandler(ReplicaFrameDecoder(maxPayload: maxPayload), maximumBufferSize: maxPayload + 4096)
        )
        try sync.addHandler(ReplicaConnectionHandler(connection: connection, whenActive: whenActive))
        return connection
    }

    // MARK: Calls

    /// Waits for the replica's READY or INIT_FAILED.
    ///
    /// - Throws: ``ReplicaConnectionError/closed(reason:)`` if the connection
    ///   closes first or the first frame is something else.
    func hello() async throws -> ReplicaHello {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = self.state.withLock { state -> Result<ReplicaHello, any Error>? in
                switch state.hello {
                case .received(let hello):
                    return .success(hello)
                case .waiting(var waiters):
                    if let reason = state.closedReason { return .failure(ReplicaConnectionError.closed(reason: reason)) }
                    waiters.append(continuation)
                    state.hello = .waiting(waiters)
                    return nil
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    /// Sends one SCORE and waits for its RESULT.
    ///
    /// - Parameter timeout: how long to wait for the RESULT before giving up
    ///   (and sending CANCEL); nil waits as long as the connection lives.
    /// - Throws: ``ReplicaConnectionError`` (`closed`, `timedOut`, `notReady`),
    ///   `CancellationError` when the calling task is cancelled (CANCEL is sent),
    ///   ``ReplicaProtocolError`` for a RESULT that does not decode.
    func score(_ request: ReplicaRequest, timeout: Duration?) async throws -> ReplicaResponse {
        let id = self.state.withLock { state -> UInt32 in
            let id = state.nextRequestID
            state.nextRequestID = id == UInt32.max ? 1 : id + 1
            return id
        }
        var frame = ByteBufferAllocator().buffer(capacity: ReplicaFrame.headerSize + 256 + request.body.count)
        frame.moveWriterIndex(forwardBy: ReplicaFrame.headerSize)
        request.writePayload(to: &frame)
        let length = frame.writerIndex - ReplicaFrame.headerSize
        frame.moveWriterIndex(to: 0)
        ReplicaFrame.writeHeader(type: .score, flags: 0, id: id, length: length, to: &frame)
        frame.moveWriterIndex(forwardBy: length)
        let outgoing = frame

        let payload = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer, any Error>) in
                let failure = self.state.withLock { state -> (any Error)? in
                    // Checked under the lock that `cancel(_:)` takes: either the
                    // handler sees the request, or the request sees the cancellation.
                    if Task.isCancelled { return CancellationError() }
                    if let reason = state.closedReason { return ReplicaConnectionError.closed(reason: reason) }
                    guard case .received(.ready) = state.hello else { return ReplicaConnectionError.notReady }
                    state.pending[id] = Pending(continuation: continuation, timeout: nil)
                    return nil
                }
                if let failure {
                    continuation.resume(throwing: failure)
                    return
                }
                // The write and the timer in one trip to the event loop: each call
                // from another thread is a queue push and a wake-up of the loop.
                let loop = self.channel.eventLoop
                if loop.inEventLoop {
                    self.send(outgoing, id: id, timeout: timeout)
                } else {
                    loop.execute { self.send(outgoing, id: id, timeout: timeout) }
                }
            }
        } onCancel: {
            self.finish(id, with: CancellationError(), sendCancel: true)
        }
        var response = try ReplicaResponse(resultPayload: payload)
        response.replicaID = self.replicaID
        return response
    }

    /// Writes request `id`'s SCORE and arms its timeout; on the event loop.
    private func send(_ frame: ByteBuffer, id: UInt32, timeout: Duration?) {
        self.channel.writeAndFlush(frame, promise: nil)
        guard let timeout else { return }
        let scheduled = self.channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            self.finish(id, with: ReplicaConnectionError.timedOut(after: timeout), sendCancel: true)
        }
        let stored = self.state.withLock { state -> Bool in
            guard state.pending[id] != nil else { return false }
            state.pending[id]?.timeout = scheduled
            return true
        }
        if !stored { scheduled.cancel() }
    }

    /// Sends a PING and waits for its ACK.
    ///
    /// - Returns: the round-trip time.
    /// - Throws: ``ReplicaConnectionError/pingTimedOut(after:)`` or `closed`.
    func ping(timeout: Duration) async throws -> Duration {
        let started = ContinuousClock.now
        let id = self.state.withLock { state -> UInt64 in
            defer { state.nextPingID &+= 1 }
            return state.nextPingID
        }
        var frame = ByteBufferAllocator().buffer(capacity: ReplicaFrame.headerSize + 8)
        ReplicaFrame.writeHeader(type: .ping, flags: 0, id: 0, length: 8, to: &frame)
        frame.writeInteger(id)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let failure = self.state.withLock { state -> (any Error)? in
                if let reason = state.closedReason { return ReplicaConnectionError.closed(reason: reason) }
                state.pings[id] = Ping(continuation: continuation, timeout: nil)
                return nil
            }
            if let failure {
                continuation.resume(throwing: failure)
                return
            }
            self.channel.writeAndFlush(frame, promise: nil)
            let scheduled = self.channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                let ping = self.state.withLock { $0.pings.removeValue(forKey: id) }
                ping?.continuation.resume(throwing: ReplicaConnectionError.pingTimedOut(after: timeout))
            }
            let stored = self.state.withLock { state -> Bool in
                guard state.pings[id] != nil else { return false }
                state.pings[id]?.timeout = scheduled
                return true
            }
            if !stored { scheduled.cancel() }
        }
        return ContinuousClock.now - started
    }

    /// Asks the replica to finish its requests in flight and exit; it answers
    /// SCOREs sent after this with 503.
    func goAway() {
        var frame = ByteBufferAllocator().buffer(capacity: ReplicaFrame.headerSize)
        ReplicaFrame.writeHeader(type: .goAway, flags: 0, id: 0, length: 0, to: &frame)
        self.channel.writeAndFlush(frame, promise: nil)
    }

    /// Closes the connection; the replica exits when it notices.
    func close() {
        self.channel.close(promise: nil)
    }

    /// Requests sent and not yet answered.
    var inFlight: Int { self.state.withLock { $0.pending.count } }

    /// Why the connection closed, once it has; nil while open.
    var closedReason: String? { self.state.withLock { $0.closedReason } }

    /// Returns when the connection has closed.
    func waitUntilClosed() async {
        try? await self.channel.closeFuture.get()
    }

    // MARK: Events from the event loop

    /// Called by ``ReplicaConnectionHandler`` for each decoded frame.
    func received(_ frame: ReplicaFrame) {
        switch frame.type {
        case .result:
            self.finish(frame.id, with: frame.payload)
        case .ping where frame.flags & ReplicaFrame.ackFlag != 0:
            var payload = frame.payload
            guard let id = payload.readInteger(as: UInt64.self) else { return }
            let ping = self.state.withLock { $0.pings.removeValue(forKey: id) }
            ping?.timeout?.cancel()
            ping?.continuation.resume()
        case .ping:
            var answer = ByteBufferAllocator().buffer(capacity: ReplicaFrame.headerSize + 8)
            ReplicaFrame(type: .ping, flags: ReplicaFrame.ackFlag, payload: frame.payload).write(to: &answer)
            self.channel.writeAndFlush(answer, promise: nil)
        default:
            self.receivedHello(frame)
        }
    }

    /// Records why the connection is about to close (a protocol error).
    func failed(_ error: any Error) {
        let reason: String
        if let error = error as? ReplicaProtocolError {
            reason = "replica \(self.replicaID) broke the replica protocol: \(error.message)"
        } else {
            reason = "replica \(self.replicaID) connection failed: \(error)"
        }
        self.state.withLock { state in
            if state.failureReason == nil { state.failureReason = reason }
        }
        self.logger.warning("Replica connection failed", metadata: ["replica.id": "\(self.replicaID)", "error": "\(reason)"])
    }

    /// Called by ``ReplicaConnectionHandler`` when the channel has closed:
    /// every waiter fails with the reason.
    func closed() {
        let (reason, pending, pings, helloWaiters) = self.state.withLock { state in
            let reason = state.failureReason ?? "replica \(self.replicaID) closed its connection"
            state.closedReason = reason
            let pending = state.pending
            let pings = state.pings
            state.pending = [:]
            state.pings = [:]
            var helloWaiters: [CheckedContinuation<ReplicaHello, any Error>] = []
            if case .waiting(let waiters) = state.hello {
                helloWaiters = waiters
                state.hello = .waiting([])
            }
            return (reason, pending, pings, helloWaiters)
        }
        let error = ReplicaConnectionError.closed(reason: reason)
        for request in pending.values {
            request.timeout?.cancel()
            request.continuation.resume(throwing: error)
        }
        for ping in pings.values {
            ping.timeout?.cancel()
            ping.continuation.resume(throwing: error)
        }
        for waiter in helloWaiters { waiter.resume(throwing: error) }
    }

    // MARK: Internals

    private func receivedHello(_ frame: ReplicaFrame) {
        let hello: ReplicaHello
        do {
            let alreadyReceived = self.state.withLock { state -> Bool in
                if case .received = state.hello { return true }
                return false
            }
            if alreadyReceived {
                throw ReplicaProtocolError("\(frame.type) after the replica's first frame")
            }
            hello = try ReplicaHello(frame: frame)
        } catch {
            self.failed(error)
            self.close()
            return
        }
        let waiters = self.state.withLock { state -> [CheckedContinuation<ReplicaHello, any Error>] in
            guard case .waiting(let waiters) = state.hello else { return [] }
            state.hello = .received(hello)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: hello) }
    }

    /// Resumes request `id`'s waiter with its RESULT payload.
    private func finish(_ id: UInt32, with payload: ByteBuffer) {
        let pending = self.state.withLock { $0.pending.removeValue(forKey: id) }
        guard let pending else { return }  // cancelled or timed out: the RESULT crossed the CANCEL
        pending.timeout?.cancel()
        pending.continuation.resume(returning: payload)
    }

    /// Fails request `id`'s waiter, if it still waits, and tells the replica.
    private func finish(_ id: UInt32, with error: any Error, sendCancel: Bool) {
        let pending = self.state.withLock { $0.pending.removeValue(forKey: id) }
        guard let pending else { return }
        pending.timeout?.cancel()
        pending.continuation.resume(throwing: error)
        if sendCancel {
            var frame = ByteBufferAllocator().buffer(capacity: ReplicaFrame.headerSize)
            ReplicaFrame.writeHeader(type: .cancel, flags: 0, id: id, length: 0, to: &frame)
            self.channel.writeAndFlush(frame, promise: nil)
        }
    }
}
