import ModelGateAPI
import ModelGateWire

/// Context for the RPC figures: how long the protobuf codec takes for the
/// benchmark's request, on one thread with nothing else running. Each round
/// trip encodes and decodes two such messages.
struct CodecScenario {
    struct Result {
        var bytes: Int
        var encodeNanoseconds: Double
        var decodeNanoseconds: Double
    }

    let request: ScoreRequest

    func run(for duration: Duration) throws -> Result {
        let clock = ContinuousClock()
        let bytes = self.request.encoded()

        var encodes = 0
        var sink = 0
        var start = clock.now
        var end = start + duration / 2
        while clock.now < end {
            for _ in 0..<256 { sink &+= self.request.encoded().count }
            encodes += 256
        }
        let encodeTime = clock.now - start

        var decodes = 0
        start = clock.now
        end = start + duration / 2
        while clock.now < end {
            for _ in 0..<256 { sink &+= try ScoreRequest(decoding: bytes).body.count }
            decodes += 256
        }
        let decodeTime = clock.now - start
        guard sink != 0 else { throw BenchError("codec loop optimised away") }
        return Result(
            bytes: bytes.count,
            encodeNanoseconds: Double(encodeTime.nanoseconds) / Double(encodes),
            decodeNanoseconds: Double(decodeTime.nanoseconds) / Double(decodes)
        )
    }
}
