/// What one scenario measured: completed round trips over the measured time.
struct Measurement: Sendable {
    /// Round trips (unary calls, or stream messages answered) completed.
    var count: Int
    var elapsed: Duration
    /// Per round trip, where the scenario records them.
    var latency: LatencySummary?

    var perSecond: Double {
        let seconds = Double(self.elapsed.components.seconds) + Double(self.elapsed.components.attoseconds) / 1e18
        return seconds > 0 ? Double(self.count) / seconds : 0
    }
}
