#if canImport(Glibc)
import Glibc
#endif

/// `modelgate-bench`: see tools/bench/README.md.
@main
struct BenchMain {
    static func main() async {
        do {
            if CommandLine.arguments.dropFirst().first == "collect" {
                try await CollectBenchmark(options: try CollectOptions(arguments: CommandLine.arguments.dropFirst(2))).run()
                return
            }
            let options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
            if let split = options.split {
                try await split.run()
                return
            }
            if let plan = options.scoringPlan {
                try await ScoringBenchmark(plan: try ScoringPlan.load(path: plan)).run()
                return
            }
            if options.serveIdle {
                try await IdleServerProcess.serve()
                return
            }
            try await Benchmark(options: options).run()
        } catch {
            Benchmark.log("modelgate-bench: \(error)")
            exit(1)
        }
    }
}
