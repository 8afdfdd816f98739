import ModelGateAPI
import ModelGateRPC

/// The ModelGate side of the comparison: calls on one ``RPCClient`` connection
/// to an in-process ``RPCServer`` running ``EchoService``.
struct ModelGateScenarios: Sendable {
    let client: RPCClient
    let request: ScoreRequest

    /// `concurrency` tasks each making unary calls back to back on the one
    /// connection, so that many calls are in flight at once.
    func unary(concurrency: Int, warmup: Duration, measure: Duration) async throws -> Measurement {
        let clock = ContinuousClock()
        let measureStart = clock.now + warmup
        let end = measureStart + measure
        let client = self.client
        let request = self.request
        let samples = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Int64] = []
                    latencies.reserveCapacity(1 << 16)
                    while true {
                        let start = clock.now
                        guard start < end else { break }
                        let response: ScoreResponse = try await client.unary(EchoService.unaryMethod, request)
                        guard response.body.count == request.body.count else {
                            throw BenchError("echo returned \(response.body.count) bytes for \(request.body.count)")
                        }
                        if start >= measureStart { latencies.append((clock.now - start).nanoseconds) }
                    }
                    return latencies
                }
            }
            var all: [Int64] = []
            for try await latencies in group { all += latencies }
            return all
        }
        return Measurement(count: samples.count, elapsed: clock.now - measureStart, latency: LatencySummary(nanoseconds: samples))
    }

    /// `streams` bidirectional calls open at once; on each, one message is
    /// sent and its answer awaited before the next, for the whole run.
    func bidirectional(streams: Int, warmup: Duration, measure: Duration) async throws -> Measurement {
        let clock = ContinuousClock()
        let measureStart = clock.now + warmup
        let end = measureStart + measure
        let client = self.client
        let request = self.request
        let samples = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<streams {
                group.addTask {
                    try await client.bidirectional(
                        EchoService.streamMethod, requestType: ScoreRequest.self, responseType: ScoreResponse.self
                    ) { sender, responses in
                        var latencies: [Int64] = []
                        latencies.reserveCapacity(1 << 16)
                        var iterator = responses.makeAsyncIterator()
                        while true {
                            let start = clock.now
                            guard start < end else { break }
                            try await sender.send(request)
                            guard try await iterator.next() != nil else {
                                throw BenchError("the echo stream ended early")
                            }
                            if start >= measureStart { latencies.append((clock.now - start).nanoseconds) }
                        }
                        try await sender.finish()
                        while try await iterator.next() != nil {}
                        return latencies
                    }
                }
            }
            var all: [Int64] = []
            for try await latencies in group { all += latencies }
            return all
        }
        return Measurement(count: samples.count, elapsed: clock.now - measureStart, latency: LatencySummary(nanoseconds: samples))
    }
}
