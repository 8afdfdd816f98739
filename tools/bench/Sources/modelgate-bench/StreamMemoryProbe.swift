import ModelGateAPI
import ModelGateRPC
import NIOCore
import Synchronization

/// The server's memory with many `ScoreStream` calls open: they are spread
/// over connections of at most ``streamsPerConnection`` calls each (the
/// server's default per-connection limit is 100), each sends one request and
/// reads its answer, then all stay open while the server's VmRSS is read.
struct StreamMemoryProbe {
    let address: (host: String, port: Int)
    let serverPID: Int32
    let request: ScoreRequest
    let metadata: [String: String]
    let streams: Int
    let eventLoopGroup: any EventLoopGroup

    static let streamsPerConnection = 100

    /// What the streams' tasks and the probe share.
    final class Progress: Sendable {
        let answered = Atomic<Int>(0)
        let release = Atomic<Bool>(false)
    }

    struct Result {
        var before: Int
        var open: Int
        var connections: Int
    }

    func run() async throws -> Result {
        let connections = (self.streams + Self.streamsPerConnection - 1) / Self.streamsPerConnection
        var clients: [RPCClient] = []
        for _ in 0..<connections {
            clients.append(try await RPCClient.connect(
                RPCClientConfiguration(host: self.address.host, port: self.address.port), eventLoopGroup: self.eventLoopGroup))
        }
        let before = try ProcessMemory.residentBytes(pid: "\(self.serverPID)")
        let progress = Progress()
        let connected = clients
        let streams = self.streams
        let request = self.request
        let metadata = self.metadata
        let open = try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<streams {
                let client = connected[index % connections]
                group.addTask {
                    try await client.bidirectional(
                        ModelGateMethods.Scoring.scoreStream, metadata: metadata,
                        requestType: ScoreRequest.self, responseType: ScoreResponse.self
                    ) { sender, responses in
                        var mine = request
                        mine.requestID = "m\(index)"
                        try await sender.send(mine)
                        var iterator = responses.makeAsyncIterator()
                        guard let answer = try await iterator.next(), answer.code == .ok else {
                            throw BenchError("stream \(index) got no answer")
                        }
                        progress.answered.add(1, ordering: .relaxed)
                        while !progress.release.load(ordering: .relaxed) {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        try await sender.finish()
                        while try await iterator.next() != nil {}
                    }
                }
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while progress.answered.load(ordering: .relaxed) < streams {
                guard ContinuousClock.now < deadline else {
                    throw BenchError("only \(progress.answered.load(ordering: .relaxed)) of \(streams) streams answered in 120 s")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            // Let the server settle (its per-call tasks parked, buffers returned).
            try await Task.sleep(for: .milliseconds(500))
            let open = try ProcessMemory.residentBytes(pid: "\(self.serverPID)")
            progress.release.store(true, ordering: .relaxed)
            try await group.waitForAll()
            return open
        }
        for client in clients { await client.close() }
        return Result(before: before, open: open, connections: connections)
    }
}
