import ModelGateClient

/// The command line of `modelgate-bench`, parsed by hand (four options do not
/// need a parser dependency).
struct BenchOptions: Sendable {
    /// Measured time per scenario; each also gets a short warm-up.
    var seconds = 3.0
    /// Bytes in each request and response body.
    var payload = 64
    /// Connections opened for the idle-memory figure.
    var idleConnections = 1000
    var skipIdle = false
    /// Run only these scenarios (for profiling): unary-1, unary-64, bidi-1, bidi-64, raw-1, raw-64, idle, codec.
    var only: Set<String>?
    /// Run the ModelGate scenarios over TLS (1.3, development certificates).
    var tls = false
    /// Internal: run as the child server of the idle-memory probe.
    var serveIdle = false
    /// `scoring --plan FILE`: the ModelGate side of the scoring benchmark
    /// (tools/bench/scoring runs it with a plan it writes).
    var scoringPlan: String?
    /// `split --server HOST:PORT --credentials FILE --script DIR [--requests N] [--concurrency C]`:
    /// the traffic-split benchmark (tools/bench/split/run starts the server and runs this).
    var split: SplitBenchmark?

    func includes(_ scenario: String) -> Bool {
        if scenario == "idle" && self.skipIdle { return false }
        return self.only?.contains(scenario) ?? true
    }

    static let usage = """
        usage: modelgate-bench [--seconds S] [--payload BYTES] [--idle-connections N] [--skip-idle]
               modelgate-bench scoring --plan FILE   (run by tools/bench/scoring)
               modelgate-bench split --credentials FILE --script DIR [--server HOST:PORT] [--requests N] [--concurrency C]
                                                     (run by tools/bench/split/run)

          --seconds S            measured time per scenario (default 3)
          --payload BYTES        request and response body size (default 64)
          --idle-connections N   connections for the idle-memory figure (default 1000)
          --skip-idle            leave out the idle-memory figure
          --tls                  run the ModelGate scenarios over TLS (development certificates;
                                 the raw-frame ceiling stays plaintext)
          --only A,B,...         run only these (unary-1, unary-64, bidi-1, bidi-64, raw-1, raw-64, idle, codec),
                                 e.g. under perf or strace
        """

    init(arguments: [String]) throws(BenchError) {
        var rest = arguments[...]
        if rest.first == "scoring" {
            rest.removeFirst()
            guard rest.popFirst() == "--plan", let plan = rest.popFirst(), rest.isEmpty else {
                throw BenchError("usage: modelgate-bench scoring --plan FILE (tools/bench/scoring writes the plan and runs this)")
            }
            self.scoringPlan = plan
            return
        }
        if rest.first == "split" {
            rest.removeFirst()
            self.split = try Self.split(Array(rest))
            return
        }
        func value(_ name: String) throws(BenchError) -> String {
            guard let value = rest.popFirst() else { throw BenchError("\(name) needs a value\n\(Self.usage)") }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds":
                guard let seconds = Double(try value(argument)), seconds > 0, seconds <= 60 else {
                    throw BenchError("--seconds takes a number of seconds between 0 and 60")
                }
                self.seconds = seconds
            case "--payload":
                guard let payload = Int(try value(argument)), payload >= 0, payload <= 1 << 20 else {
                    throw BenchError("--payload takes a byte count up to 1 MiB")
                }
                self.payload = payload
            case "--idle-connections":
                guard let count = Int(try value(argument)), count > 0, count <= 5000 else {
                    throw BenchError("--idle-connections takes a count between 1 and 5000")
                }
                self.idleConnections = count
            case "--skip-idle":
                self.skipIdle = true
            case "--tls":
                self.tls = true
            case "--only":
                let names = Set(try value(argument).split(separator: ",").map(String.init))
                let known: Set = ["unary-1", "unary-64", "bidi-1", "bidi-64", "raw-1", "raw-64", "idle", "codec"]
                guard names.isSubset(of: known), !names.isEmpty else {
                    throw BenchError("--only takes a comma-separated list of \(known.sorted().joined(separator: ", "))")
                }
                self.only = names
            case "--serve-idle":
                self.serveIdle = true
            case "-h", "--help":
                throw BenchError(Self.usage)
            default:
                throw BenchError("unknown option \(argument)\n\(Self.usage)")
            }
        }
    }
}

/// A failure the benchmark reports and exits on.
extension BenchOptions {
    static func split(_ arguments: [String]) throws(BenchError) -> SplitBenchmark {
        var (server, credentials, script, requests, concurrency): (ServerAddress?, String?, String?, Int, Int) = (nil, nil, nil, 10_000, 16)
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError("\(argument) needs a value") }
            switch argument {
            case "--server": server = ServerAddress(parsing: value)
            case "--credentials": credentials = value
            case "--script": script = value
            case "--requests": requests = Int(value) ?? 0
            case "--concurrency": concurrency = Int(value) ?? 0
            default: throw BenchError("unknown option \(argument)\n\(Self.usage)")
            }
        }
        guard let credentials, let script, requests > 0, concurrency > 0 else {
            throw BenchError("split needs --credentials FILE and --script DIR; --requests and --concurrency are positive")
        }
        let loaded: Credentials
        do {
            loaded = try Credentials.load(path: credentials)
        } catch {
            throw BenchError("cannot read credentials \(credentials): \(error)")
        }
        // Without --server, the address the server wrote into its credentials file.
        guard let address = server ?? loaded.server.flatMap({ ServerAddress(parsing: $0) }) else {
            throw BenchError("no server: pass --server HOST:PORT")
        }
        return SplitBenchmark(server: address, credentials: loaded, requests: requests, concurrency: concurrency, scriptDirectory: script)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
