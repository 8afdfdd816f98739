#if canImport(Glibc)
import Glibc
#endif
import Logging
import ModelGateAPI
import ModelGateRPC
import ModelGateTLS
import Foundation
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
        var clientConfiguration = RPCClientConfiguration(host: "127.0.0.1", port: 0)
        let certificates = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-bench-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: certificates) }
        if self.options.tls {
            try DevelopmentCertificates.write(to: certificates)
            configuration.tls = try ReloadableTLSContext(configuration: TLSServerConfiguration(
                certificateChainFile: certificates + "/cert.pem", privateKeyFile: certificates + "/key.pem"))
            clientConfiguration.tls = TLSClientConfiguration(caFile: certificates + "/ca.pem")
            Self.log("ModelGate scenarios over TLS")
        }
        let server = RPCServer(configuration: configuration, router: EchoService.makeRouter(), eventLoopGroup: serverGroup, logger: logger)
        // Each ModelGate scenario is followed at once by its ceiling, so the two
        // figures of a row are measured under the same machine conditions.
        let raw = RawFrameScenario(serverGroup: serverGroup, clientGroup: clientGroup, payload: request.encoded())
        var rows: [Row] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.run() }
            let port = try await server.boundPort()
            clientConfiguration.port = port
            let client = try await RPCClient.connect(clientConfiguration, eventLoopGroup: clientGroup)
            let scenarios = ModelGateScenarios(client: client, request: request)
            for plan in Self.rowPlans {
                let runOurs = self.options.includes(plan.key)
                let runRaw = self.options.includes("raw-\(plan.inFlight)")
                guard runOurs || runRaw else { continue }
                var row = Row(scenario: plan.scenario, unit: plan.unit, modelGate: nil, raw: nil, goal: plan.goal)
                if runOurs {
                    let result = plan.unit == "calls/s"
                        ? try await scenarios.unary(concurrency: plan.inFlight, warmup: warmup, measure: measure)
                        : try await scenarios.bidirectional(streams: plan.inFlight, warmup: warmup, measure: measure)
                    Self.log("ModelGate \(plan.scenario): \(Self.rate(result)) \(plan.unit)")
                    row.modelGate = result
                }
                if runRaw {
                    let result = try await raw.run(inFlight: plan.inFlight, warmup: warmup, measure: measure)
                    Self.log("raw frames, \(plan.inFlight) in flight: \(Self.rate(result)) round trips/s")
                    row.raw = result
                }
                rows.append(row)
            }
            await client.close()
            server.triggerGracefulShutdown()
            try await tasks.waitForAll()
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

        print(ResultTable(rows: rows, codec: codec, idle: idle, options: self.options).render())
    }

    /// The table's rows: what each measures and against how many requests in flight.
    struct RowPlan {
        var key: String
        var scenario: String
        var unit: String
        var inFlight: Int
        var goal: Double?
    }

    static let rowPlans = [
        RowPlan(key: "unary-1", scenario: "unary, 1 call in flight", unit: "calls/s", inFlight: 1),
        RowPlan(key: "unary-64", scenario: "unary, 64 calls in flight", unit: "calls/s", inFlight: 64),
        RowPlan(key: "bidi-1", scenario: "bidi, 1 stream", unit: "msgs/s", inFlight: 1),
        RowPlan(key: "bidi-64", scenario: "bidi, 64 streams", unit: "msgs/s", inFlight: 64, goal: 0.5),
    ]

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
