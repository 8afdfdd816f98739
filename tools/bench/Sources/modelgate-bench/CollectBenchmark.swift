import Foundation
import ModelGateAPI
import ModelGateClient
import ModelGateRPC
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// `modelgate-bench collect`: what model data collection and the request log
/// cost scoring (issue 7).
///
/// For each log level (`info`: the request log on; `warning`: off) it starts
/// one release `modelgate serve`, deploys the echo script twice on it, one
/// service with `collect_model_data` on and one with it off, and drives both
/// alternately in the same run (off, on, then on, off, ...) with unary calls
/// and with one `ScoreStream` at each concurrency. The collection figure is the
/// on/off ratio within one server run; the logging figure compares the
/// collection-off service between the two runs. After each run the server is
/// stopped with SIGTERM, and its log's last line from the collector gives the
/// records written and dropped.
struct CollectBenchmark {
    let options: CollectOptions

    struct Figure {
        var logLevel: String
        var mode: String
        var concurrency: Int
        var offRPS: [Double] = []
        var onRPS: [Double] = []
        /// The server process's CPU time per answered request, in microseconds.
        var offCPU: [Double] = []
        var onCPU: [Double] = []
        var errors = 0
        var firstError: String?

        var off: Double { Self.mean(self.offRPS) }
        var on: Double { Self.mean(self.onRPS) }
        /// How much slower collection is, in percent: the median over rounds of
        /// 1 - on/off, each pair measured back to back (so a change in the
        /// machine's load between rounds cancels out).
        var costPercent: Double {
            Self.median(zip(self.offRPS, self.onRPS).compactMap { off, on in off > 0 ? (off - on) / off * 100 : nil })
        }
        var offCPUPerRequest: Double { Self.median(self.offCPU) }
        var onCPUPerRequest: Double { Self.median(self.onCPU) }

        static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }
        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
    }

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let archive = try Self.pack(self.options.echoDirectory)
        var figures: [Figure] = []
        var collected: [String: (written: Int, dropped: Int)] = [:]
        for level in ["info", "warning"] {
            let server = try ServedProcess(binary: self.options.modelgate, logLevel: level)
            do {
                figures += try await self.measure(server: server, logLevel: level, archive: archive, group: group)
            } catch {
                Benchmark.log("server log (\(server.logPath)):\n\(server.logTail)")
                _ = server.stop()
                try? await group.shutdownGracefully()
                throw error
            }
            collected[level] = server.stop()
        }
        try? await group.shutdownGracefully()
        self.printTable(figures, collected: collected)
    }

    private func measure(server: ServedProcess, logLevel: String, archive: [UInt8], group: any EventLoopGroup) async throws -> [Figure] {
        let address = try await server.waitForAddress()
        let credentials = try Credentials.load(path: server.dataDirectory + "/credentials.json")
        let control = try await ModelGateClient.connect(to: address, credentials: credentials, eventLoopGroup: group)
        let token = try await control.signIn().accessToken
        _ = try await control.createWorkspace(name: ScoringBenchmark.workspace, region: "westeurope")
        let cores = Double(2 * self.options.replicas)
        _ = try await control.attachCompute(
            workspace: ScoringBenchmark.workspace, name: ScoringBenchmark.compute, cpuCores: cores, memoryGB: 4 * cores)
        let rpc = try await RPCClient.connect(RPCClientConfiguration(host: address.host, port: address.port), eventLoopGroup: group)
        let deployment = ScoringDeployment(client: rpc, accessToken: token, workspace: ScoringBenchmark.workspace)
        var loads: [Bool: ScoringLoad] = [:]
        var connections: [RPCClient] = []
        for collect in [false, true] {
            let name = collect ? "echo-collect-on" : "echo-collect-off"
            Benchmark.log("log level \(logLevel): deploying \(name)")
            let key = try await deployment.deploy(
                name: name, model: nil, archive: archive, entryScript: "score.py", compute: ScoringBenchmark.compute,
                replicas: self.options.replicas, collectModelData: collect)
            let scoring = try await RPCClient.connect(RPCClientConfiguration(host: address.host, port: address.port), eventLoopGroup: group)
            connections.append(scoring)
            loads[collect] = ScoringLoad(
                client: scoring, workspace: ScoringBenchmark.workspace, service: name, metadata: ["authorization": "Bearer \(key)"],
                body: Array(#"{"data": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]}"#.utf8))
        }
        let warmup = Duration.milliseconds(Int64(self.options.warmup * 1000))
        let seconds = Duration.milliseconds(Int64(self.options.seconds * 1000))
        var figures: [Figure] = []
        for mode in ["unary", "stream"] {
            for concurrency in self.options.concurrency {
                var figure = Figure(logLevel: logLevel, mode: mode, concurrency: concurrency)
                for round in 0..<self.options.rounds {
                    // Alternate which goes first, so drift in the machine's load favours neither.
                    for collect in round % 2 == 0 ? [false, true] : [true, false] {
                        guard let load = loads[collect] else { continue }
                        async let cpu = CPUWindow.measure(serverPID: server.pid, warmup: warmup, measure: seconds)
                        let (samples, elapsed) = mode == "unary"
                            ? try await load.unary(concurrency: concurrency, warmup: warmup, measure: seconds)
                            : try await load.stream(concurrency: concurrency, warmup: warmup, measure: seconds)
                        let line = samples.line(script: "echo", mode: mode, concurrency: concurrency, replicas: self.options.replicas, elapsed: elapsed)
                        let rps = line.rps ?? 0
                        let window = try await cpu
                        let cpuPerRequest = (line.count ?? 0) > 0 ? window.serverSeconds * 1e6 / Double(line.count ?? 1) : 0
                        if collect {
                            figure.onRPS.append(rps)
                            figure.onCPU.append(cpuPerRequest)
                        } else {
                            figure.offRPS.append(rps)
                            figure.offCPU.append(cpuPerRequest)
                        }
                        figure.errors += samples.errors
                        if figure.firstError == nil { figure.firstError = samples.firstError }
                        Benchmark.log(
                            "  \(logLevel) \(mode) c=\(concurrency) collection \(collect ? "on " : "off"): \(Int(rps)) req/s, "
                                + "server CPU \(Int(cpuPerRequest)) µs/request")
                    }
                }
                figures.append(figure)
            }
        }
        for connection in connections { await connection.close() }
        await rpc.close()
        await control.close()
        return figures
    }

    private func printTable(_ figures: [Figure], collected: [String: (written: Int, dropped: Int)]) {
        print("Model data collection: echo score.py, \(self.options.replicas) replica(s), \(self.options.seconds) s per figure, "
            + "\(self.options.rounds) round(s) each, alternating; load average before: \(self.loadBefore)")
        print("")
        print("| log level | mode | in flight | off req/s | on req/s | on vs off (median of pairs) | server CPU/req off | on |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for figure in figures {
            print("| \(figure.logLevel) | \(figure.mode) | \(figure.concurrency) | \(Int(figure.off)) | \(Int(figure.on)) | "
                + "\(Self.signed(-figure.costPercent)) % | \(Int(figure.offCPUPerRequest)) µs | \(Int(figure.onCPUPerRequest)) µs |")
        }
        print("")
        for (level, counts) in collected.sorted(by: { $0.key < $1.key }) {
            print("log level \(level): \(counts.written) records on disk after SIGTERM, \(counts.dropped) dropped")
        }
        let worst = figures.map(\.costPercent).max() ?? 0
        print("Goal (collection on within 10 % of off): \(worst < 10 ? "met" : "missed"), worst \(String(format: "%.1f", worst)) % slower")
        print("")
        print("Request log (collection off): info (a line per request) vs warning (none); two server runs, one after the other")
        print("")
        print("| mode | in flight | info req/s | warning req/s | server CPU/req info | warning | CPU cost |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for figure in figures where figure.logLevel == "info" {
            guard let quiet = figures.first(where: { $0.logLevel == "warning" && $0.mode == figure.mode && $0.concurrency == figure.concurrency })
            else { continue }
            let cost = quiet.offCPUPerRequest > 0 ? (figure.offCPUPerRequest - quiet.offCPUPerRequest) / quiet.offCPUPerRequest * 100 : 0
            print("| \(figure.mode) | \(figure.concurrency) | \(Int(figure.off)) | \(Int(quiet.off)) | \(Int(figure.offCPUPerRequest)) µs | "
                + "\(Int(quiet.offCPUPerRequest)) µs | \(Self.signed(cost)) % |")
        }
        let errors = figures.reduce(0) { $0 + $1.errors }
        if errors > 0 {
            print("")
            print("\(errors) requests failed; first: \(figures.compactMap(\.firstError).first ?? "?")")
        }
    }

    private static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "-") + String(format: "%.1f", abs(value))
    }

    /// The 1-minute load average when the run started.
    private var loadBefore: String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(String.init) ?? "?"
    }

    /// A gzip tar of a folder's contents, as a client packs a source directory.
    static func pack(_ directory: String) throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "modelgate-bench-collect-\(UUID().uuidString).tar.gz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", path, "-C", directory, "--exclude=__pycache__", "."]
        try tar.run()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw BenchError("tar failed packing \(directory)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// `collect`'s options: `--modelgate PATH --echo DIR [--seconds S] [--warmup S]
/// [--concurrency 1,8,64] [--replicas N] [--rounds N]`.
struct CollectOptions: Sendable {
    var modelgate = ""
    var echoDirectory = ""
    var seconds = 2.0
    var warmup = 0.5
    var concurrency = [1, 8, 64]
    var replicas = 1
    var rounds = 4

    init(arguments: ArraySlice<String>) throws(BenchError) {
        var rest = arguments
        func value(_ name: String) throws(BenchError) -> String {
            guard let value = rest.popFirst() else { throw BenchError("\(name) needs a value") }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--modelgate": self.modelgate = try value(argument)
            case "--echo": self.echoDirectory = try value(argument)
            case "--seconds":
                guard let seconds = Double(try value(argument)), seconds > 0, seconds <= 60 else { throw BenchError("--seconds takes 0 to 60") }
                self.seconds = seconds
            case "--warmup":
                guard let warmup = Double(try value(argument)), warmup >= 0, warmup <= 60 else { throw BenchError("--warmup takes 0 to 60") }
                self.warmup = warmup
            case "--concurrency":
                let values = try value(argument).split(separator: ",").compactMap { Int($0) }
                guard !values.isEmpty, values.allSatisfy({ $0 >= 1 && $0 <= 1024 }) else { throw BenchError("--concurrency takes counts like 1,8,64") }
                self.concurrency = values
            case "--replicas":
                guard let replicas = Int(try value(argument)), (1...8).contains(replicas) else { throw BenchError("--replicas takes 1 to 8") }
                self.replicas = replicas
            case "--rounds":
                guard let rounds = Int(try value(argument)), (1...10).contains(rounds) else { throw BenchError("--rounds takes 1 to 10") }
                self.rounds = rounds
            default:
                throw BenchError("unknown collect option '\(argument)': --modelgate PATH --echo DIR [--seconds S] [--warmup S] [--concurrency 1,8,64] [--replicas N] [--rounds N]")
            }
        }
        guard !self.modelgate.isEmpty, !self.echoDirectory.isEmpty else {
            throw BenchError("collect needs --modelgate PATH and --echo DIR (tools/bench/run collect passes them)")
        }
    }
}

/// A `modelgate serve` child on a free port and a temporary data directory,
/// its standard error in a file.
final class ServedProcess: @unchecked Sendable {
    // @unchecked: used only by the benchmark's one task.
    let dataDirectory: String
    let logPath: String
    private let process: Process

    var pid: Int32 { self.process.processIdentifier }

    init(binary: String, logLevel: String) throws {
        let base = NSTemporaryDirectory() + "modelgate-bench-collect-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        self.dataDirectory = base + "/data"
        self.logPath = base + "/server.log"
        _ = FileManager.default.createFile(atPath: self.logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--data-dir", self.dataDirectory, "--log-level", logLevel]
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: self.logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
    }

    /// The address the server recorded in its credentials file once listening.
    func waitForAddress() async throws -> ServerAddress {
        for _ in 0..<600 {
            if let credentials = try? Credentials.load(path: self.dataDirectory + "/credentials.json"),
               let server = credentials.server, let address = ServerAddress(parsing: server) {
                return address
            }
            guard self.process.isRunning else { throw BenchError("modelgate serve exited:\n\(self.logTail)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("modelgate serve did not start within 30 s:\n\(self.logTail)")
    }

    var logTail: String {
        let text = (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(30).joined(separator: "\n")
    }

    /// SIGTERM, wait, then the records on disk (lines of the collected
    /// files) and the dropped count the log reports (its drop warnings, and
    /// the closing line when the log level shows it).
    func stop() -> (written: Int, dropped: Int) {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGTERM)
            self.process.waitUntilExit()
        }
        var written = 0
        let root = self.dataDirectory + "/collected"
        for case let file as String in FileManager.default.enumerator(atPath: root)?.allObjects ?? [] where file.hasSuffix(".jsonl") {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: root + "/" + file))) ?? Data()
            written += data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        let text = (try? String(contentsOfFile: self.logPath, encoding: .utf8)) ?? ""
        var dropped = 0
        for line in text.split(separator: "\n") {
            for key in ["collect.dropped.total=", "collect.dropped="] {
                guard let range = line.range(of: key) else { continue }
                dropped = max(dropped, Int(line[range.upperBound...].prefix { $0.isNumber }) ?? 0)
            }
        }
        try? FileManager.default.removeItem(atPath: (self.dataDirectory as NSString).deletingLastPathComponent)
        return (written, dropped)
    }
}
