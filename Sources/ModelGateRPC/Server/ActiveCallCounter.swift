import Synchronization

/// Counts the calls whose handler task is still running, across connections.
///
/// A cancelled call stops counting only when its handler actually returns, so
/// tests (and metrics) can check that cancelled work really stops.
final class ActiveCallCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { self.count.add(1, ordering: .relaxed) }
    func decrement() { self.count.subtract(1, ordering: .relaxed) }
    var value: Int { self.count.load(ordering: .relaxed) }
}
