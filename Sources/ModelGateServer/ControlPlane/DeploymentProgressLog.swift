internal import ModelGateAPI
internal import Synchronization

/// The progress of one deployment (one generation of a service): every event
/// so far, for a `WaitForDeployment` that starts late, and the live ones for
/// those already following. The event with `final` set ends it.
final class DeploymentProgressLog: Sendable {
    private struct State {
        var events: [DeploymentProgress] = []
        var followers: [Int: AsyncStream<DeploymentProgress>.Continuation] = [:]
        var nextFollower = 0
        var isFinished: Bool { self.events.last?.final ?? false }
    }

    /// Events kept for late followers; a build that prints more keeps its newest lines.
    static let maxEvents = 2_000

    private let state = Mutex(State())

    init() {}

    /// Adds an event and hands it to every follower; a final one ends their streams.
    /// Events after the final one are dropped.
    func append(_ event: DeploymentProgress) {
        let followers = self.state.withLock { state -> [AsyncStream<DeploymentProgress>.Continuation] in
            guard !state.isFinished else { return [] }
            state.events.append(event)
            if state.events.count > Self.maxEvents {
                // Keep the first event (the start) and the newest ones.
                state.events.remove(at: 1)
            }
            let followers = Array(state.followers.values)
            if event.final { state.followers = [:] }
            return followers
        }
        for follower in followers {
            follower.yield(event)
            if event.final { follower.finish() }
        }
    }

    /// Every event so far, then each new one until the final one; nil when the
    /// deployment has already ended.
    func follow() -> AsyncStream<DeploymentProgress>? {
        let (stream, continuation) = AsyncStream.makeStream(of: DeploymentProgress.self, bufferingPolicy: .unbounded)
        let id: Int? = self.state.withLock { state in
            guard !state.isFinished else { return nil }
            for event in state.events { continuation.yield(event) }
            let id = state.nextFollower
            state.nextFollower += 1
            state.followers[id] = continuation
            return id
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.followers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every follower's stream without a final event (the service was deleted).
    func abandon() {
        let followers = self.state.withLock { state in
            defer { state.followers = [:] }
            return Array(state.followers.values)
        }
        for follower in followers { follower.finish() }
    }
}
