import ModelGateAPI
import ModelGateWire
import NIOCore
import Synchronization

/// The async-facing half of one connection's sending side: per-stream and
/// per-connection send credit, stream slots, and one coalesced outbound buffer.
///
/// Flow control (the sending rule, see `transport.proto`): a MESSAGE may be sent
/// while the sender's credit for its stream *and* for the connection are both
/// above zero; sending subtracts the message's cost (its size, at least 1) from
/// both, so credit goes negative by at most one message. Credit starts at the
/// peer's initial windows (its SETTINGS) and grows with its WINDOW_UPDATEs.
///
/// Why a `Mutex` and not only the channel handler: writers live in async code
/// and must decide synchronously whether to suspend, without a thread hop per
/// message. The event-loop handler owns the receiving side and feeds this type
/// the peer's credit grants; everything a writer appends lands in ``pending``,
/// and the handler writes it out with one flush per drain, so many streams'
/// messages share one syscall.
///
/// `Registration` is what the client hands its event loop when it opens a
/// stream (the server never opens streams, so it uses `Never`).
final class ConnectionWriter<Registration: Sendable>: ConsumptionReporting, Sendable {
    /// Work for the event-loop handler, collected under the lock and taken with the pending bytes.
    enum Event {
        /// The consumer read `bytes` of the stream's messages; grant credit back.
        case consumed(streamID: UInt32, bytes: Int)
        /// Async code closed the stream (trailers or CANCEL written); forget it.
        case closed(streamID: UInt32)
        /// The client opened a stream; route its inbound frames to `registration`.
        case opened(streamID: UInt32, registration: Registration)
    }

    /// The peer's limits that govern what this side may send.
    struct PeerLimits: Sendable {
        var maxFrameSize: Int
        var streamWindow: Int
        var connectionWindow: Int
        var maxConcurrentStreams: Int
        var maxHeaderSize: Int
    }

    private struct SendStream {
        var credit: Int
        /// Set once the stream is closed; writes fail with it.
        var closedError: (any Error)?
        /// The local side sent END_STREAM (client) and may send no more messages.
        var halfClosed = false
        /// Whether the stream occupies one of the peer's concurrent-stream slots (client side).
        var holdsSlot: Bool
    }

    private struct Waiter {
        var id: UInt64
        var streamID: UInt32
        var continuation: UnsafeContinuation<Void, any Error>
    }

    private struct State {
        var pending: ByteBuffer?
        var events: [Event] = []
        var drainScheduled = false
        var drainHook: (@Sendable () -> Void)?
        var limits: PeerLimits
        var connectionCredit: Int
        var streams: [UInt32: SendStream] = [:]
        var creditWaiters: [Waiter] = []
        var slotWaiters: [Waiter] = []
        var idleWaiters: [UnsafeContinuation<Void, Never>] = []
        var nextWaiterID: UInt64 = 0
        var nextStreamID: UInt32 = 1
        var everOpened = false
        var slotsInUse = 0
        /// Set when the connection is gone: every operation fails with it.
        var failure: (any Error)?
        /// Set after GO_AWAY or close(): new streams fail with it.
        var refusal: (any Error)?
    }

    /// Credit never grows past this, whatever the peer grants.
    private static var maxCredit: Int { 1 << 40 }

    private let allocator: ByteBufferAllocator
    private let state: Mutex<State>

    init(allocator: ByteBufferAllocator, limits: PeerLimits) {
        self.allocator = allocator
        self.state = Mutex(State(limits: limits, connectionCredit: limits.connectionWindow))
    }

    /// Installs the function that schedules a drain on the event loop.
    func setDrainHook(_ hook: @escaping @Sendable () -> Void) {
        self.state.withLock { $0.drainHook = hook }
    }

    // MARK: Sending messages

    private enum SendAction {
        case sent((@Sendable () -> Void)?)
        case failed(any Error)
        case wait
    }

    /// Sends one message, suspending while the stream or the connection has no credit.
    ///
    /// - Throws: the stream's close reason once it is closed, ``RPCError``
    ///   `RESOURCE_EXHAUSTED` for a message above the peer's frame limit,
    ///   `CancellationError` when the task is cancelled while waiting.
    /// - Parameter scheduleDrain: `false` when the caller knows another frame
    ///   that schedules a drain follows at once (a unary response is followed
    ///   by its trailers), so both leave in one write.
    func sendMessage(streamID: UInt32, _ message: [UInt8], endStream: Bool = false, scheduleDrain: Bool = true) async throws {
        while true {
            let action = self.state.withLock { state -> SendAction in
                if let failure = state.failure { return .failed(failure) }
                guard var stream = state.streams[streamID] else {
                    return .failed(RPCStreamMisuse(message: "stream \(streamID) is not open"))
                }
                if let error = stream.closedError { return .failed(error) }
                if stream.halfClosed {
                    return .failed(RPCError(code: .failedPrecondition, message: "the request side of this call is already finished"))
                }
                guard message.count <= state.limits.maxFrameSize else {
                    return .failed(RPCError(
                        code: .resourceExhausted,
                        message: "message of \(message.count) bytes exceeds the peer's limit of \(state.limits.maxFrameSize) bytes",
                        details: ["limit": "\(state.limits.maxFrameSize)", "actual": "\(message.count)"]
                    ))
                }
                guard stream.credit > 0, state.connectionCredit > 0 else { return .wait }
                let cost = InboundMessages.cost(of: message.count)
                stream.credit -= cost
                state.connectionCredit -= cost
                stream.halfClosed = endStream
                state.streams[streamID] = stream
                self.write(into: &state, capacity: FrameHeader.size + message.count) {
                    $0.writeFrame(.message, flags: endStream ? .endStream : [], streamID: streamID, payload: message)
                }
                return .sent(scheduleDrain ? Self.takeDrainHook(&state) : nil)
            }
            switch action {
            case .sent(let hook):
                hook?()
                return
            case .failed(let error):
                throw error
            case .wait:
                try await self.waitForCredit(streamID: streamID)
            }
        }
    }

    private func waitForCredit(streamID: UInt32) async throws {
        let waiterID = self.state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let ready: Result<Void, any Error>? = self.state.withLock { state in
                    if let failure = state.failure { return .failure(failure) }
                    guard let stream = state.streams[streamID], stream.closedError == nil else { return .success(()) }
                    if stream.credit > 0 && state.connectionCredit > 0 { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.creditWaiters.append(Waiter(id: waiterID, streamID: streamID, continuation: continuation))
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                state.creditWaiters.firstIndex { $0.id == waiterID }.map { state.creditWaiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    // MARK: Other frames

    /// Appends frames that need no credit (HEADERS, TRAILERS, CANCEL,
    /// WINDOW_UPDATE, PING, GO_AWAY) in order with the messages.
    ///
    /// - Parameter schedule: whether to schedule a drain; the event loop passes
    ///   `false` because it drains at the end of what it is doing anyway.
    func appendFrames(capacity: Int, schedule: Bool, _ body: (inout ByteBuffer) -> Void) {
        let hook = self.state.withLock { state -> (@Sendable () -> Void)? in
            self.write(into: &state, capacity: capacity, body)
            return schedule ? Self.takeDrainHook(&state) : nil
        }
        hook?()
    }

    // MARK: Stream lifecycle

    /// Registers a stream the peer opened (server side).
    func registerPeerStream(_ streamID: UInt32) {
        self.state.withLock { state in
            state.streams[streamID] = SendStream(credit: state.limits.streamWindow, holdsSlot: false)
        }
    }

    /// Opens a client stream: waits for one of the peer's concurrent-stream
    /// slots, assigns the next odd id and appends its HEADERS, all under one
    /// lock so ids reach the wire in increasing order.
    ///
    /// - Parameters:
    ///   - headers: the encoded `CallHeaders`.
    ///   - endStream: whether the call has no request messages.
    ///   - makeRegistration: builds what the event loop routes the stream's frames to.
    func openStream(
        headers: [UInt8], endStream: Bool, makeRegistration: (UInt32) -> Registration
    ) async throws -> Registration {
        while true {
            let outcome = self.state.withLock { state -> Result<(Registration, (@Sendable () -> Void)?), any Error>? in
                if let failure = state.failure { return .failure(failure) }
                if let refusal = state.refusal { return .failure(refusal) }
                guard headers.count <= state.limits.maxHeaderSize else {
                    return .failure(RPCError(
                        code: .resourceExhausted,
                        message: "call headers of \(headers.count) bytes exceed the server's limit of \(state.limits.maxHeaderSize) bytes",
                        details: ["limit": "\(state.limits.maxHeaderSize)", "actual": "\(headers.count)"]
                    ))
                }
                guard state.slotsInUse < state.limits.maxConcurrentStreams else { return nil }
                let streamID = state.nextStreamID
                guard streamID < UInt32(Int32.max) else {
                    return .failure(RPCError(code: .unavailable, message: "this connection has used all its stream ids"))
                }
                state.nextStreamID += 2
                state.slotsInUse += 1
                state.everOpened = true
                state.streams[streamID] = SendStream(credit: state.limits.streamWindow, halfClosed: endStream, holdsSlot: true)
                let registration = makeRegistration(streamID)
                state.events.append(.opened(streamID: streamID, registration: registration))
                self.write(into: &state, capacity: FrameHeader.size + headers.count) {
                    $0.writeFrame(.headers, flags: endStream ? .endStream : [], streamID: streamID, payload: headers)
                }
                return .success((registration, Self.takeDrainHook(&state)))
            }
            switch outcome {
            case .success(let (registration, hook)):
                hook?()
                return registration
            case .failure(let error):
                throw error
            case nil:
                try await self.waitForSlot()
            }
        }
    }

    private func waitForSlot() async throws {
        let waiterID = self.state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let ready: Result<Void, any Error>? = self.state.withLock { state in
                    if let failure = state.failure { return .failure(failure) }
                    if let refusal = state.refusal { return .failure(refusal) }
                    if state.slotsInUse < state.limits.maxConcurrentStreams { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.slotWaiters.append(Waiter(id: waiterID, streamID: 0, continuation: continuation))
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                state.slotWaiters.firstIndex { $0.id == waiterID }.map { state.slotWaiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Half-closes a client stream with an empty TRAILERS frame (see `transport.proto`).
    func halfClose(streamID: UInt32) throws {
        let hook = try self.state.withLock { state throws -> (@Sendable () -> Void)? in
            if let failure = state.failure { throw failure }
            guard var stream = state.streams[streamID] else { return nil }
            if let error = stream.closedError { throw error }
            guard !stream.halfClosed else { return nil }
            stream.halfClosed = true
            state.streams[streamID] = stream
            self.write(into: &state, capacity: FrameHeader.size) {
                $0.writeFrameHeader(.trailers, streamID: streamID, length: 0)
            }
            return Self.takeDrainHook(&state)
        }
        hook?()
    }

    /// Closes a stream for sending: later writes fail with `error` and blocked
    /// writers wake with it.
    ///
    /// - Parameters:
    ///   - frame: a last frame to append (TRAILERS or CANCEL), if any.
    ///   - notify: whether to tell the event loop (``Event/closed(streamID:)``);
    ///     the event loop itself passes `false`.
    /// - Returns: whether the stream was still open (only the first close writes its frame).
    @discardableResult
    func closeStream(
        _ streamID: UInt32, error: any Error, notify: Bool,
        frame: ((inout ByteBuffer) -> Void)? = nil, frameCapacity: Int = FrameHeader.size
    ) -> Bool {
        let (closed, woken, hook) = self.state.withLock { state -> (Bool, [Waiter], (@Sendable () -> Void)?) in
            guard state.failure == nil, var stream = state.streams[streamID], stream.closedError == nil else {
                return (false, [], nil)
            }
            stream.closedError = error
            state.streams[streamID] = stream
            if stream.holdsSlot { self.releaseSlot(&state) }
            if let frame { self.write(into: &state, capacity: frameCapacity, frame) }
            if notify { state.events.append(.closed(streamID: streamID)) }
            var woken: [Waiter] = []
            state.creditWaiters.removeAll { waiter in
                guard waiter.streamID == streamID else { return false }
                woken.append(waiter)
                return true
            }
            let hook = notify || frame != nil ? Self.takeDrainHook(&state) : nil
            return (true, woken, hook)
        }
        for waiter in woken { waiter.continuation.resume(throwing: error) }
        hook?()
        return closed
    }

    /// Forgets a stream once its call is over. A client stream still open is
    /// cancelled first, so the server stops working on it.
    func release(_ streamID: UInt32) {
        let cancelError = RPCError(code: .cancelled, message: "call cancelled by the caller")
        self.closeStream(streamID, error: cancelError, notify: true) {
            $0.writeFrameHeader(.cancel, streamID: streamID, length: 0)
        }
        self.state.withLock { _ = $0.streams.removeValue(forKey: streamID) }
    }

    private func releaseSlot(_ state: inout State) {
        state.slotsInUse -= 1
        if !state.slotWaiters.isEmpty {
            state.slotWaiters.removeFirst().continuation.resume()
        }
        if state.slotsInUse == 0 {
            for waiter in state.idleWaiters { waiter.resume() }
            state.idleWaiters.removeAll()
        }
    }

    // MARK: Event-loop side

    /// Adds credit from a WINDOW_UPDATE (`streamID` 0 for the connection) and wakes writers that may now send.
    func addCredit(streamID: UInt32, increment: UInt32) {
        let woken = self.state.withLock { state -> [Waiter] in
            if streamID == 0 {
                state.connectionCredit = min(state.connectionCredit + Int(increment), Self.maxCredit)
            } else if var stream = state.streams[streamID] {
                stream.credit = min(stream.credit + Int(increment), Self.maxCredit)
                state.streams[streamID] = stream
            }
            guard state.connectionCredit > 0, !state.creditWaiters.isEmpty else { return [] }
            var woken: [Waiter] = []
            state.creditWaiters.removeAll { waiter in
                guard (state.streams[waiter.streamID]?.credit ?? 1) > 0 else { return false }
                woken.append(waiter)
                return true
            }
            return woken
        }
        for waiter in woken { waiter.continuation.resume() }
    }

    /// Applies the peer's SETTINGS. Stream windows apply to streams opened
    /// afterwards; the connection window only before the first stream.
    func updateLimits(_ limits: PeerLimits) {
        let woken = self.state.withLock { state -> [Waiter] in
            if !state.everOpened && state.streams.isEmpty {
                state.connectionCredit = limits.connectionWindow
            }
            state.limits = limits
            var woken: [Waiter] = []
            while state.slotsInUse + woken.count < limits.maxConcurrentStreams, !state.slotWaiters.isEmpty {
                woken.append(state.slotWaiters.removeFirst())
            }
            return woken
        }
        for waiter in woken { waiter.continuation.resume() }
    }

    /// The peer's current limits.
    var limits: PeerLimits { self.state.withLock { $0.limits } }

    /// Refuses new streams from now on (GO_AWAY received, or the client is closing).
    func refuseNewStreams(_ error: any Error) {
        let woken = self.state.withLock { state -> [Waiter] in
            if state.refusal == nil { state.refusal = error }
            defer { state.slotWaiters.removeAll() }
            return state.slotWaiters
        }
        for waiter in woken { waiter.continuation.resume(throwing: error) }
    }

    /// Fails everything: the connection is gone.
    ///
    /// - Returns: streams opened but not yet handed to the event loop, so it can fail them too.
    @discardableResult
    func fail(_ error: any Error) -> [Registration] {
        let (waiters, idle, orphans) = self.state.withLock { state -> ([Waiter], [UnsafeContinuation<Void, Never>], [Registration]) in
            guard state.failure == nil else { return ([], [], []) }
            state.failure = error
            state.pending = nil
            // The hook captures the connection's handler, which holds this
            // writer: clearing it breaks the cycle so both are freed.
            state.drainHook = nil
            let orphans = state.events.compactMap { event -> Registration? in
                if case .opened(_, let registration) = event { return registration }
                return nil
            }
            state.events.removeAll()
            defer {
                state.creditWaiters.removeAll()
                state.slotWaiters.removeAll()
                state.idleWaiters.removeAll()
            }
            return (state.creditWaiters + state.slotWaiters, state.idleWaiters, orphans)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
        for waiter in idle { waiter.resume() }
        return orphans
    }

    /// Whether the connection has failed.
    var isFailed: Bool { self.state.withLock { $0.failure != nil } }

    /// Suspends until no stream holds a slot (or the connection fails).
    func waitUntilIdle() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let idle = self.state.withLock { state in
                if state.slotsInUse == 0 || state.failure != nil { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Takes everything written since the last drain, and the events for the event loop.
    func takePending() -> (ByteBuffer?, [Event]) {
        self.state.withLock { state in
            state.drainScheduled = false
            defer {
                state.pending = nil
                if !state.events.isEmpty { state.events.removeAll(keepingCapacity: true) }
            }
            return (state.pending, state.events)
        }
    }

    // MARK: ConsumptionReporting

    func consumed(streamID: UInt32, bytes: Int) {
        let hook = self.state.withLock { state -> (@Sendable () -> Void)? in
            guard state.failure == nil else { return nil }
            state.events.append(.consumed(streamID: streamID, bytes: bytes))
            return Self.takeDrainHook(&state)
        }
        hook?()
    }

    // MARK: Internals

    private func write(into state: inout State, capacity: Int, _ body: (inout ByteBuffer) -> Void) {
        guard state.failure == nil else { return }
        // Take the buffer out so it is uniquely referenced while written (no copy).
        var buffer = state.pending ?? self.allocator.buffer(capacity: max(capacity, 256))
        state.pending = nil
        body(&buffer)
        state.pending = buffer
    }

    private static func takeDrainHook(_ state: inout State) -> (@Sendable () -> Void)? {
        guard !state.drainScheduled, let hook = state.drainHook else { return nil }
        state.drainScheduled = true
        return hook
    }
}
