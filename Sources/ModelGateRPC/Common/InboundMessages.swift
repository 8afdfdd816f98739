import NIOCore
import Synchronization

/// One stream's inbound messages, handed from the event loop to one async consumer.
///
/// The event loop calls ``deliver(_:)`` for each MESSAGE and ``finish(throwing:)``
/// or ``fail(_:)`` once; the consumer calls ``next()``. Consuming a message is what
/// returns its credit: consumed bytes are reported in batches of at least
/// `reportThreshold` (so a small unary request causes no extra event-loop hop;
/// whatever is still unreported when the stream closes is returned by the
/// connection handler then). The buffer never holds more than the stream's
/// flow-control window plus one frame, because the peer cannot send more.
final class InboundMessages: Sendable {
    private enum Terminal {
        case finished
        case failed(any Error)
    }

    private struct State {
        var buffer = CircularBuffer<[UInt8]>(initialCapacity: 2)
        var terminal: Terminal?
        var waiter: UnsafeContinuation<[UInt8]?, any Error>?
        var unreported = 0
    }

    let streamID: UInt32
    private let reportThreshold: Int
    private let reporter: any ConsumptionReporting
    private let state = Mutex(State())

    init(streamID: UInt32, reportThreshold: Int, reporter: any ConsumptionReporting) {
        self.streamID = streamID
        self.reportThreshold = max(reportThreshold, 1)
        self.reporter = reporter
    }

    /// The credit a message costs: its size, and at least one byte, so that a
    /// flood of empty messages is bounded by the window too.
    static func cost(of size: Int) -> Int { max(size, 1) }

    // MARK: Event-loop side

    /// Adds a message; dropped when the stream has already ended.
    func deliver(_ message: [UInt8]) {
        let (waiter, report): (UnsafeContinuation<[UInt8]?, any Error>?, Int) = self.state.withLock { state in
            guard state.terminal == nil else { return (nil, 0) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, self.account(Self.cost(of: message.count), &state))
            }
            state.buffer.append(message)
            return (nil, 0)
        }
        if report > 0 { self.reporter.consumed(streamID: self.streamID, bytes: report) }
        waiter?.resume(returning: message)
    }

    /// Ends the stream after the buffered messages: normally when `error` is
    /// nil, else by throwing it once they are read. Ignored after the first end.
    func finish(throwing error: (any Error)? = nil) {
        let waiter: UnsafeContinuation<[UInt8]?, any Error>? = self.state.withLock { state in
            guard state.terminal == nil else { return nil }
            state.terminal = error.map { .failed($0) } ?? .finished
            guard state.buffer.isEmpty else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    /// Ends the stream at once, dropping buffered messages (cancellation,
    /// deadline, connection loss). Overrides a normal end not yet consumed.
    func fail(_ error: any Error) {
        let waiter: UnsafeContinuation<[UInt8]?, any Error>? = self.state.withLock { state in
            if case .failed = state.terminal { return nil }
            state.terminal = .failed(error)
            state.buffer.removeAll()
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    // MARK: Consumer side

    /// The next message, or `nil` at the end of the stream.
    ///
    /// - Throws: the error the stream ended with, or `CancellationError` when
    ///   the consuming task is cancelled while waiting.
    func next() async throws -> [UInt8]? {
        var report = 0
        let ready = try self.state.withLock { state throws -> Ready? in try self.take(&state, report: &report) }
        if report > 0 { self.reporter.consumed(streamID: self.streamID, bytes: report) }
        if let ready { return ready.value }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<[UInt8]?, any Error>) in
                var report = 0
                let outcome: Result<[UInt8]?, any Error>? = self.state.withLock { state in
                    do {
                        if let ready = try self.take(&state, report: &report) { return .success(ready.value) }
                    } catch {
                        return .failure(error)
                    }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.waiter != nil {
                        return .failure(RPCStreamMisuse(message: "a stream can only be read by one task at a time"))
                    }
                    state.waiter = continuation
                    return nil
                }
                if report > 0 { self.reporter.consumed(streamID: self.streamID, bytes: report) }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private struct Ready { var value: [UInt8]? }

    /// Pops a buffered message (counting its cost into `report`) or the
    /// terminal state; `nil` when the caller must wait.
    private func take(_ state: inout State, report: inout Int) throws -> Ready? {
        if let message = state.buffer.popFirst() {
            report = self.account(Self.cost(of: message.count), &state)
            return Ready(value: message)
        }
        switch state.terminal {
        case .none: return nil
        case .finished: return Ready(value: nil)
        case .failed(let error): throw error
        }
    }

    /// Counts consumed bytes and returns how many to report now (0 for none yet).
    private func account(_ cost: Int, _ state: inout State) -> Int {
        state.unreported += cost
        guard state.unreported >= self.reportThreshold else { return 0 }
        defer { state.unreported = 0 }
        return state.unreported
    }
}
