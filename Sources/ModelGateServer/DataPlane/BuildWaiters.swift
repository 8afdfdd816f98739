internal import Synchronization

/// The resolves waiting for another resolve of the same environment hash to
/// finish its lookup or build.
///
/// A Mutex rather than actor state, so that a waiter's cancellation handler
/// (which runs synchronously, on any thread) can resume it at once: a
/// cancelled deployment stops waiting without waiting for the build.
final class BuildWaiters: Sendable {
    private struct State {
        var nextID = 0
        var waiting: [String: [Int: CheckedContinuation<Void, any Error>]] = [:]
    }

    private let state = Mutex(State())

    /// Waits until ``finish(_:with:)`` for `hash`, or until the calling task is cancelled.
    ///
    /// - Throws: The finished resolve's error, or `CancellationError`.
    func wait(for hash: String) async throws {
        let id = self.state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                self.state.withLock { $0.waiting[hash, default: [:]][id] = continuation }
                // Cancelled before the continuation was registered: the handler found nothing to resume.
                if Task.isCancelled { self.cancel(hash, id) }
            }
        } onCancel: {
            self.cancel(hash, id)
        }
    }

    /// Resumes everyone waiting for `hash`.
    func finish(_ hash: String, with result: Result<Void, any Error>) {
        let continuations = self.state.withLock { $0.waiting.removeValue(forKey: hash) } ?? [:]
        for continuation in continuations.values { continuation.resume(with: result) }
    }

    private func cancel(_ hash: String, _ id: Int) {
        let continuation = self.state.withLock { $0.waiting[hash]?.removeValue(forKey: id) }
        continuation?.resume(throwing: CancellationError())
    }
}
