/// Percentiles of a set of latencies, in nanoseconds.
struct LatencySummary: Sendable {
    var p50: Int64
    var p99: Int64

    init?(nanoseconds samples: [Int64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func percentile(_ p: Double) -> Int64 {
            sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
        }
        self.p50 = percentile(0.50)
        self.p99 = percentile(0.99)
    }

    /// "85 µs / 140 µs".
    var formatted: String { "\(Self.format(self.p50)) / \(Self.format(self.p99))" }

    static func format(_ nanoseconds: Int64) -> String {
        if nanoseconds >= 10_000_000 { return "\(nanoseconds / 1_000_000) ms" }
        return "\(nanoseconds / 1_000) µs"
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
