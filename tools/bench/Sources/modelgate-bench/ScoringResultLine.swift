#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One line of `modelgate-bench scoring`'s output: a JSON object that
/// scoring_bench.py puts in its table. Load figures have no `kind`; the
/// added-latency and memory figures say which they are.
struct ScoringResultLine: Encodable, Sendable {
    var kind: String?
    var script: String
    var system = "modelgate"
    var mode: String?
    var concurrency: Int?
    var replicas: Int?
    var rps: Double?
    var count: Int?
    var errors: Int?
    var firstError: String?
    var p50Micros: Double?
    var p99Micros: Double?
    /// The server's own time per request (ScoreResponse.latency_micros), p50.
    var serverP50Micros: Double?
    /// run()'s time as the replica measured it (x-ms-run-fn-exec-ms), p50.
    var runP50Micros: Double?
    /// p50 of latency_micros − run() time, per request.
    var serverAddedP50Micros: Double?
    /// p50 of the client's round trip − run() time, per request.
    var clientAddedP50Micros: Double?
    var queueWaitP50Micros: Double?
    /// CPU time of the server process per answered request, in the measured window.
    var serverCPUMicrosPerRequest: Double?
    /// CPU time of the replica processes together per answered request.
    var replicaCPUMicrosPerRequest: Double?
    var rssBefore: Int?
    var rssOpen: Int?
    var streams: Int?
    var connections: Int?

    enum CodingKeys: String, CodingKey {
        case kind, script, system, mode, concurrency, replicas, rps, count, errors, streams, connections
        case firstError = "first_error"
        case p50Micros = "p50_us"
        case p99Micros = "p99_us"
        case serverP50Micros = "server_p50_us"
        case runP50Micros = "run_p50_us"
        case serverAddedP50Micros = "server_added_p50_us"
        case clientAddedP50Micros = "client_added_p50_us"
        case queueWaitP50Micros = "queue_wait_p50_us"
        case serverCPUMicrosPerRequest = "server_cpu_us"
        case replicaCPUMicrosPerRequest = "replica_cpu_us"
        case rssBefore = "rss_before"
        case rssOpen = "rss_open"
    }

    /// Writes the line to standard output at once (the parent reads it when we exit).
    func emit() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        print(String(decoding: data, as: UTF8.self))
        fflush(nil)
    }
}
