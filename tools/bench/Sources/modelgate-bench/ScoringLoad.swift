import ModelGateAPI
import ModelGateRPC

/// Load on one deployed service over one ``RPCClient`` connection, the way
/// a client application would send it: unary `Score` calls, or requests
/// pipelined on one `ScoreStream` call.
struct ScoringLoad: Sendable {
    let client: RPCClient
    let workspace: String
    let service: String
    /// `authorization: Bearer <key>`, or nothing when key auth is off.
    let metadata: [String: String]
    let body: [UInt8]

    private func request(id: String) -> ScoreRequest {
        var request = ScoreRequest()
        request.requestID = id
        request.workspace = self.workspace
        request.service = self.service
        request.body = self.body
        request.contentType = "application/json"
        return request
    }

    /// `concurrency` tasks each making `Score` calls back to back, so that
    /// many calls are in flight at once. Samples only after the warm-up.
    func unary(concurrency: Int, warmup: Duration, measure: Duration) async throws -> (ScoringSamples, Duration) {
        let clock = ContinuousClock()
        let measureStart = clock.now + warmup
        let end = measureStart + measure
        let load = self
        let samples = try await withThrowingTaskGroup(of: ScoringSamples.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var samples = ScoringSamples()
                    samples.reserve(1 << 15)
                    // The server names unary calls itself (the call's request id).
                    let request = load.request(id: "")
                    while true {
                        let start = clock.now
                        guard start < end else { break }
                        do {
                            let response: ScoreResponse = try await load.client.unary(
                                ModelGateMethods.Scoring.score, request, metadata: load.metadata)
                            if start >= measureStart { samples.record(response, roundTrip: clock.now - start) }
                        } catch let error as RPCError {
                            samples.fail("\(error.code): \(error.message)")
                            if samples.errors > 1000 { throw BenchError("unary Score keeps failing: \(error)") }
                        }
                    }
                    return samples
                }
            }
            var all = ScoringSamples()
            for try await samples in group { all.merge(samples) }
            return all
        }
        return (samples, clock.now - measureStart)
    }

    /// One `ScoreStream` call with `concurrency` requests in flight: that many
    /// are sent at once, then one more as each answer arrives. Each request's
    /// latency runs from its send to its answer (matched by request id).
    func stream(concurrency: Int, warmup: Duration, measure: Duration) async throws -> (ScoringSamples, Duration) {
        let clock = ContinuousClock()
        let measureStart = clock.now + warmup
        let end = measureStart + measure
        let load = self
        let samples = try await self.client.bidirectional(
            ModelGateMethods.Scoring.scoreStream, metadata: self.metadata,
            requestType: ScoreRequest.self, responseType: ScoreResponse.self
        ) { sender, responses in
            // The reader hands the sender one credit per answer; the sender
            // starts with `concurrency` of them.
            let (credits, creditor) = AsyncStream.makeStream(of: Void.self)
            let sent = SendTimes(capacity: concurrency)
            return try await withThrowingTaskGroup(of: ScoringSamples?.self) { group in
                group.addTask {
                    var number = 0
                    func sendOne() async throws -> Bool {
                        let now = clock.now
                        guard now < end else { return false }
                        number += 1
                        let id = "r\(number)"
                        sent.record(id, at: now)
                        try await sender.send(load.request(id: id))
                        return true
                    }
                    var open = true
                    for _ in 0..<concurrency where open { open = try await sendOne() }
                    if open {
                        for await _ in credits {
                            guard try await sendOne() else { break }
                        }
                    }
                    try await sender.finish()
                    return nil
                }
                group.addTask {
                    var samples = ScoringSamples()
                    samples.reserve(1 << 17)
                    for try await response in responses {
                        let now = clock.now
                        if let start = sent.take(response.requestID) {
                            if start >= measureStart, now <= end { samples.record(response, roundTrip: now - start) }
                        } else {
                            samples.fail("an answer to unknown request id '\(response.requestID)'")
                        }
                        creditor.yield()
                    }
                    creditor.finish()
                    return samples
                }
                var result = ScoringSamples()
                for try await samples in group {
                    if let samples { result = samples }
                }
                return result
            }
        }
        return (samples, min(clock.now, end) - measureStart)
    }
}
