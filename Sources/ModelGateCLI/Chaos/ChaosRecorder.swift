internal import ModelGateAPI
internal import Synchronization

/// Collects what the load clients saw, from many tasks at once.
final class ChaosRecorder: Sendable {
    /// One scoring request.
    struct Scoring: Sendable {
        var service: String
        var start: ContinuousClock.Instant
        var end: ContinuousClock.Instant
        /// nil when it succeeded.
        var failure: String?
    }

    /// One token fetch.
    struct TokenFetch: Sendable {
        var start: ContinuousClock.Instant
        var end: ContinuousClock.Instant
        /// The status code when it failed; nil when it succeeded.
        var code: StatusCode?
        var message: String

        var duration: Duration { self.end - self.start }
    }

    private let state = Mutex<(scoring: [Scoring], tokens: [TokenFetch])>(([], []))

    func record(_ sample: Scoring) {
        self.state.withLock { $0.scoring.append(sample) }
    }

    func record(_ sample: TokenFetch) {
        self.state.withLock { $0.tokens.append(sample) }
    }

    var scoring: [Scoring] { self.state.withLock { $0.scoring } }
    var tokens: [TokenFetch] { self.state.withLock { $0.tokens } }
}
