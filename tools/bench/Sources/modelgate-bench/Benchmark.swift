#if canImport(Glibc)
import Glibc
#endif
import Logging
import ModelGateAPI
import ModelGateRPC
import NIOCore
import NIOPosix

/// Runs every scenario once, in one process, and prints the table.
struct Benchmark {
    let options: BenchOptions

    struct Row {
        var scenario: String
        var unit: String
        var modelGate: Measurement?
        var raw: Measurement?
        var goal: Double?
    }

    func run() async throws {
        // One event loop for the server and one for the clients, for both sides
        // of the comparison, so neither gets more threads than the other.
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let measure = Duration.milliseconds(Int64(self.options.seconds * 1000))
        let warmup = min(Duration.milliseconds(500), measure / 4)
        let request = EchoService.makeRequest(payload: self.options.payload)

        Self.log("""
            loopback, \(self.options.payload)-byte bodies (\(request.encoded().count)-byte request messages), \
            \(self.options.seconds) s per scenario after \(warmup) warm-up
            """)

        // ModelGate: an in-process server and one client connection.
        let logger = Logger(label: "modelgate.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        var configuration = RPCServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.drainTimeout = .seconds(2)
        let server = RPCServer(configuration: configuration, router: EchoService.makeRouter(), eventLoopGroup: serverGroup, logger: logger)
        var modelGate: [String: Measurement] = [:]
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.run() }
            let port = try await server.boundPort()
            let client = try await RPCClient.connect(RPCClientConfiguration(host: "127.0.0.1", port: port), eventLoopGroup: clientGroup)
            let scenarios = ModelGateScenarios(client: client, request: request)
            for concurrency in [1, 64] where self.options.includes("unary-\(concurrency)") {
                let result = try await scenarios.unary(concurrency: concurrency, warmup: warmup, measure: measure)
                Self.log("ModelGate unary, \(concurrency) in flight: \(Self.rate(result)) calls/s")
                modelGate["unary-\(concurrency)"] = result
            }
            for streams in [1, 64] where self.options.includes("bidi-\(streams)") {
                let result = try await scenarios.bidirectional(streams: streams, warmup: warmup, measure: measure)
                Self.log("ModelGate bidi, \(streams) stream(s): \(Self.rate(result)) messages/s")
                modelGate["bidi-\(streams)"] = result
            }
            await client.close()
            server.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }

        // The ceiling: the same frames on a raw socket.
        let raw = RawFrameScenario(serverGroup: serverGroup, clientGroup: clientGroup, payload: request.encoded())
        var ceiling: [Int: Measurement] = [:]
        for inFlight in [1, 64] where self.options.includes("raw-\(inFlight)") {
            let result = try await raw.run(inFlight: inFlight, warmup: warmup, measure: measure)
            Self.log("raw frames, \(inFlight) in flight: \(Self.rate(result)) round trips/s")
            ceiling[inFlight] = result
        }

        var codec: CodecScenario.Result?
        if self.options.includes("codec") {
            codec = try CodecScenario(request: request).run(for: min(Duration.seconds(1), measure))
        }

        var idle: IdleConnectionProbe.Result?
        if self.options.includes("idle") {
            Self.log("idle connections: opening \(self.options.idleConnections) to a server in a child process...")
            idle = try await IdleConnectionProbe(clientGroup: clientGroup, connections: self.options.idleConnections).run()
        }

        try await serverGroup.shutdownGracefully()
        try await clientGroup.shutdownGracefully()

        func row(_ scenario: String, _ unit: String, _ key: String, _ inFlight: Int, goal: Double? = nil) -> Row? {
            guard modelGate[key] != nil || ceiling[inFlight] != nil else { return nil }
            return Row(scenario: scenario, unit: unit, modelGate: modelGate[key], raw: ceiling[inFlight], goal: goal)
        }
        let rows = [
            row("unary, 1 call in flight", "calls/s", "unary-1", 1),
            row("unary, 64 calls in flight", "calls/s", "unary-64", 64),
            row("bidi, 1 stream", "msgs/s", "bidi-1", 1),
            row("bidi, 64 streams", "msgs/s", "bidi-64", 64, goal: 0.5),
        ].compactMap { $0 }
        print(ResultTable(rows: rows, codec: codec, idle: idle, options: self.options).render())
    }

    static func rate(_ measurement: Measurement) -> String {
        ResultTable.grouped(Int(measurement.perSecond.rounded()))
    }

    /// Progress goes to standard error; the table alone goes to standard output.
    static func log(_ message: String) {
        var standardError = StandardError()
        print(message, to: &standardError)
    }
}

/// `print(..., to:)` target for standard error.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
