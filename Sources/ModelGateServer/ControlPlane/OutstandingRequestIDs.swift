internal import Synchronization

/// The request ids of one `ScoreStream` call that have not been answered yet:
/// a second request with the same id would make the answers ambiguous.
final class OutstandingRequestIDs: Sendable {
    private let ids = Mutex(Set<String>())

    init() {}

    /// Adds `id`; false if it is already outstanding.
    func insert(_ id: String) -> Bool {
        self.ids.withLock { $0.insert(id).inserted }
    }

    /// Forgets `id` once its answer is written.
    func remove(_ id: String) {
        _ = self.ids.withLock { $0.remove(id) }
    }
}
