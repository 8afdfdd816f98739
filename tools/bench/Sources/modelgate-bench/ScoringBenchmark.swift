import Foundation
import ModelGateAPI
import ModelGateClient
import ModelGateRPC
import NIOCore
import NIOPosix

/// `modelgate-bench scoring --plan FILE`: the ModelGate side of the scoring
/// benchmark (tools/bench/scoring). Against a running `modelgate serve`, it
/// creates a workspace and an AKS target, and for each script and replica
/// count registers the model, deploys the script, waits for Healthy, drives
/// unary and streaming load at each concurrency, and prints one JSON line per
/// figure; then the added latency and the memory with many open streams.
struct ScoringBenchmark {
    let plan: ScoringPlan

    static let workspace = "bench"
    static let compute = "bench-aks"

    func run() async throws {
        guard let address = ServerAddress(parsing: self.plan.server) else {
            throw BenchError("server '\(self.plan.server)' is not HOST:PORT")
        }
        // The client side gets one event loop, as in the RPC benchmark.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            try await self.run(address: address, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    private func run(address: ServerAddress, group: MultiThreadedEventLoopGroup) async throws {
        let credentials = try Credentials.load(path: self.plan.credentials)
        let control = try await ModelGateClient.connect(to: address, credentials: credentials, tls: self.plan.tls, eventLoopGroup: group)
        let token = try await control.signIn().accessToken
        _ = try await control.createWorkspace(name: Self.workspace, region: "westeurope")
        // Room for the largest replica count at one core each.
        let cores = Double(max(2, self.plan.replicas.max() ?? 1))
        _ = try await control.attachCompute(
            workspace: Self.workspace, name: Self.compute, cpuCores: cores, memoryGB: 4 * cores)

        let rpc = try await RPCClient.connect(self.plan.rpcConfiguration(address), eventLoopGroup: group)
        let deployment = ScoringDeployment(client: rpc, accessToken: token, workspace: Self.workspace)
        let warmup = Duration.milliseconds(Int64(self.plan.warmup * 1000))
        let measure = Duration.milliseconds(Int64(self.plan.seconds * 1000))

        for script in self.plan.scripts {
            let model = try await control.registerModel(workspace: Self.workspace, name: "\(script.name)-model", path: script.modelDir)
            let archive = try Array(Data(contentsOf: URL(fileURLWithPath: script.archive)))
            let body = try Array(Data(contentsOf: URL(fileURLWithPath: script.bodyFile)))
            for replicas in self.plan.replicas {
                let name = "\(script.name)-r\(replicas)"
                Benchmark.log("ModelGate: deploying \(name) (\(replicas) replica\(replicas == 1 ? "" : "s"))")
                let key = try await deployment.deploy(
                    name: name, model: "\(model.name):\(model.version)", archive: archive,
                    entryScript: script.entryScript, compute: Self.compute, replicas: replicas)
                let metadata = ["authorization": "Bearer \(key)"]
                // Scoring traffic gets its own connection, as an application's would.
                let scoring = try await RPCClient.connect(
                    self.plan.rpcConfiguration(address), eventLoopGroup: group)
                let load = ScoringLoad(
                    client: scoring, workspace: Self.workspace, service: name, metadata: metadata,
                    body: body)
                for mode in ["unary", "stream"] {
                    for concurrency in self.plan.concurrency {
                        async let cpu = CPUWindow.measure(serverPID: self.plan.serverPID, warmup: warmup, measure: measure)
                        let (samples, elapsed) = mode == "unary"
                            ? try await load.unary(concurrency: concurrency, warmup: warmup, measure: measure)
                            : try await load.stream(concurrency: concurrency, warmup: warmup, measure: measure)
                        var line = samples.line(
                            script: script.name, mode: mode, concurrency: concurrency, replicas: replicas, elapsed: elapsed)
                        let window = try await cpu
                        if let count = line.count, count > 0 {
                            line.serverCPUMicrosPerRequest = window.serverSeconds * 1e6 / Double(count)
                            line.replicaCPUMicrosPerRequest = window.replicaSeconds * 1e6 / Double(count)
                        }
                        Benchmark.log(
                            "  \(mode), \(concurrency) in flight: \(Int(line.rps ?? 0)) req/s, p50 \(Int(line.p50Micros ?? 0)) µs, "
                                + "p99 \(Int(line.p99Micros ?? 0)) µs, server p50 \(Int(line.serverP50Micros ?? 0)) µs, "
                                + "run() p50 \(Int(line.runP50Micros ?? 0)) µs, CPU per request: server "
                                + "\(Int(line.serverCPUMicrosPerRequest ?? 0)) µs, replicas \(Int(line.replicaCPUMicrosPerRequest ?? 0)) µs, "
                                + "\(samples.errors) failed"
                                + (samples.firstError.map { " (first: \($0))" } ?? ""))
                        try line.emit()
                        if mode == "unary", concurrency == 1, replicas == self.plan.replicas.first {
                            var added = line
                            added.kind = "added_latency"
                            try added.emit()
                        }
                    }
                }
                await scoring.close()
                if self.plan.memoryStreams > 0, script.name == self.plan.scripts.first?.name,
                    replicas == self.plan.replicas.first
                {
                    Benchmark.log("  opening \(self.plan.memoryStreams) ScoreStream calls...")
                    var request = ScoreRequest()
                    request.workspace = Self.workspace
                    request.service = name
                    request.body = body
                    let probe = StreamMemoryProbe(
                        address: (address.host, address.port), serverPID: self.plan.serverPID, request: request,
                        metadata: metadata, streams: self.plan.memoryStreams, eventLoopGroup: group)
                    let result = try await probe.run()
                    var line = ScoringResultLine(kind: "memory", script: script.name)
                    line.rssBefore = result.before
                    line.rssOpen = result.open
                    line.streams = self.plan.memoryStreams
                    line.connections = result.connections
                    Benchmark.log("  server VmRSS \(result.before >> 10) KiB before, \(result.open >> 10) KiB with the streams open")
                    try line.emit()
                }
                await deployment.delete(name: name)
            }
        }
        await rpc.close()
        await control.close()
    }
}
