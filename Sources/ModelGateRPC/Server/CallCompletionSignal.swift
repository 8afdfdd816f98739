import Synchronization

/// Tells a call's supervising task whether its handler finished or the call
/// was cancelled (by the client's CANCEL, the deadline, or connection loss).
///
/// The supervisor cancels the handler's task on `.cancelled`, which is how a
/// cancelled call stops its work: the handler sees `Task.isCancelled`.
final class CallCompletionSignal: Sendable {
    enum Outcome: Sendable {
        case handlerFinished
        case cancelled
    }

    private enum State {
        case idle
        case waiting(UnsafeContinuation<Outcome, Never>)
        case done(Outcome)
    }

    private let state = Mutex(State.idle)

    /// Records the outcome; the first one wins.
    func signal(_ outcome: Outcome) {
        let waiter: UnsafeContinuation<Outcome, Never>? = self.state.withLock { state in
            switch state {
            case .idle:
                state = .done(outcome)
                return nil
            case .waiting(let continuation):
                state = .done(outcome)
                return continuation
            case .done:
                return nil
            }
        }
        waiter?.resume(returning: outcome)
    }

    /// Waits for the first outcome.
    func wait() async -> Outcome {
        await withUnsafeContinuation { continuation in
            let done: Outcome? = self.state.withLock { state in
                switch state {
                case .idle:
                    state = .waiting(continuation)
                    return nil
                case .waiting:
                    preconditionFailure("CallCompletionSignal.wait() must be called once")
                case .done(let outcome):
                    return outcome
                }
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
