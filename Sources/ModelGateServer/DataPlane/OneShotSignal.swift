internal import NIOCore
internal import Synchronization

/// A value that is set once and awaited by any number of tasks, each with an
/// optional time limit and cancellation: "has this replica exited yet, and
/// how?", "has the pool drained?".
///
/// Waiting never holds anything up: a waiter whose time runs out or whose
/// task is cancelled gets nil and is forgotten.
final class OneShotSignal<Value: Sendable>: Sendable {
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var value: Value?
        var nextWaiterID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Value?, Never>] = [:]
    }

    init() {}

    /// Sets the value (the first call wins) and wakes every waiter.
    func complete(_ value: Value) {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Value?, Never>] in
            guard state.value == nil else { return [] }
            state.value = value
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    /// The value, if set.
    var value: Value? { self.state.withLock { $0.value } }

    /// Waits for the value.
    ///
    /// - Parameters:
    ///   - timeout: how long to wait at most; nil waits until it is set or the task is cancelled.
    ///   - eventLoop: runs the timer.
    /// - Returns: the value, or nil when the time ran out or the task was cancelled.
    func wait(timeout: Duration? = nil, on eventLoop: any EventLoop) async -> Value? {
        let id = self.state.withLock { state -> UInt64 in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
                let immediate = self.state.withLock { state -> Value?? in
                    if let value = state.value { return .some(value) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                    return
                }
                if let timeout {
                    let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { self.giveUp(id) }
                    // Cancelling a fired or dropped timer is harmless.
                    if self.value != nil { timer.cancel() }
                }
            }
        } onCancel: {
            self.giveUp(id)
        }
    }

    private func giveUp(_ id: UInt64) {
        let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.resume(returning: nil)
    }
}
