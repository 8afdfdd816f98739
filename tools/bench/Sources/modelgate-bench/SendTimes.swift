import Synchronization

/// When each request of a stream was sent, by request id: written by the
/// sending task, read by the task reading answers.
final class SendTimes: Sendable {
    private let times: Mutex<[String: ContinuousClock.Instant]>

    init(capacity: Int) {
        self.times = Mutex(Dictionary(minimumCapacity: capacity * 2))
    }

    func record(_ id: String, at instant: ContinuousClock.Instant) {
        self.times.withLock { $0[id] = instant }
    }

    /// The send time of `id`, forgotten once taken.
    func take(_ id: String) -> ContinuousClock.Instant? {
        self.times.withLock { $0.removeValue(forKey: id) }
    }
}
