import ModelGateAPI

/// What one load run observed, per answered request: the client's round
/// trip, the server's own time (`latency_micros`), run()'s time as the
/// replica measured it (`x-ms-run-fn-exec-ms`), and the wait for a replica.
struct ScoringSamples: Sendable {
    var clientNanoseconds: [Int64] = []
    var serverMicros: [Int64] = []
    var runMicros: [Int64] = []
    var queueWaitMicros: [Int64] = []
    var errors = 0
    var firstError: String?

    mutating func reserve(_ count: Int) {
        self.clientNanoseconds.reserveCapacity(count)
        self.serverMicros.reserveCapacity(count)
        self.runMicros.reserveCapacity(count)
        self.queueWaitMicros.reserveCapacity(count)
    }

    /// Records an answer; a failed one counts as an error, not a sample.
    mutating func record(_ response: ScoreResponse, roundTrip: Duration) {
        guard response.code == .ok, response.httpStatus == 200 || response.httpStatus == 0 else {
            self.fail("\(response.code) (HTTP \(response.httpStatus)): \(response.message)")
            return
        }
        self.clientNanoseconds.append(roundTrip.nanoseconds)
        self.serverMicros.append(Int64(clamping: response.latencyMicros))
        self.queueWaitMicros.append(Int64(clamping: response.queueWaitMicros))
        // Milliseconds with three decimals, as Azure's server writes it.
        let header = response.headers.first { $0.key.lowercased() == "x-ms-run-fn-exec-ms" }?.value
        self.runMicros.append(header.flatMap(Double.init).map { Int64(($0 * 1000).rounded()) } ?? -1)
    }

    mutating func fail(_ message: String) {
        self.errors += 1
        if self.firstError == nil { self.firstError = message }
    }

    mutating func merge(_ other: ScoringSamples) {
        self.clientNanoseconds += other.clientNanoseconds
        self.serverMicros += other.serverMicros
        self.runMicros += other.runMicros
        self.queueWaitMicros += other.queueWaitMicros
        self.errors += other.errors
        if self.firstError == nil { self.firstError = other.firstError }
    }

    /// The result line of this run: rate over `elapsed`, client and server percentiles.
    func line(script: String, mode: String, concurrency: Int, replicas: Int, elapsed: Duration) -> ScoringResultLine {
        var line = ScoringResultLine(script: script)
        line.mode = mode
        line.concurrency = concurrency
        line.replicas = replicas
        line.count = self.clientNanoseconds.count
        let seconds = Double(elapsed.nanoseconds) / 1e9
        line.rps = seconds > 0 ? Double(self.clientNanoseconds.count) / seconds : 0
        line.errors = self.errors
        line.firstError = self.firstError
        line.p50Micros = Self.percentile(self.clientNanoseconds, 0.50).map { Double($0) / 1000 }
        line.p99Micros = Self.percentile(self.clientNanoseconds, 0.99).map { Double($0) / 1000 }
        line.serverP50Micros = Self.percentile(self.serverMicros, 0.50).map(Double.init)
        line.queueWaitP50Micros = Self.percentile(self.queueWaitMicros, 0.50).map(Double.init)
        let known = self.runMicros.indices.filter { self.runMicros[$0] >= 0 }
        if !known.isEmpty {
            line.runP50Micros = Self.percentile(known.map { self.runMicros[$0] }, 0.50).map(Double.init)
            line.serverAddedP50Micros = Self.percentile(known.map { self.serverMicros[$0] - self.runMicros[$0] }, 0.50).map(Double.init)
            line.clientAddedP50Micros = Self.percentile(
                known.map { self.clientNanoseconds[$0] / 1000 - self.runMicros[$0] }, 0.50
            ).map(Double.init)
        }
        return line
    }

    static func percentile(_ values: [Int64], _ p: Double) -> Int64? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
    }
}
