import Foundation
import ModelGateClient
import ModelGateRPC
import ModelGateTLS

/// What `modelgate-bench scoring --plan FILE` measures, written by
/// `tools/bench/scoring/scoring_bench.py` after it started `modelgate serve`.
struct ScoringPlan: Decodable, Sendable {
    /// One score.py to deploy: its packed source folder, the model folder to
    /// register, and the request body to send.
    struct Script: Decodable, Sendable {
        var name: String
        /// The source folder as a gzip tar, as a client packs it for Deploy.
        var archive: String
        var entryScript: String
        var modelDir: String
        var bodyFile: String

        enum CodingKeys: String, CodingKey {
            case name, archive
            case entryScript = "entry_script"
            case modelDir = "model_dir"
            case bodyFile = "body_file"
        }
    }

    /// `HOST:PORT` of the running server.
    var server: String
    /// The server's credentials.json (its Owner principal).
    var credentials: String
    /// The server's process id, for its resident memory.
    var serverPID: Int32
    var seconds: Double
    var warmup: Double
    var concurrency: [Int]
    var replicas: [Int]
    /// Open ScoreStream calls for the memory figure; 0 skips it.
    var memoryStreams: Int
    var scripts: [Script]
    /// The CA file to verify the server with, when it serves TLS (`tools/bench/run tls`); plaintext when absent.
    var tlsCA: String?

    enum CodingKeys: String, CodingKey {
        case server, credentials, seconds, warmup, concurrency, replicas, scripts
        case serverPID = "server_pid"
        case memoryStreams = "memory_streams"
        case tlsCA = "tls_ca"
    }

    /// How every connection of the run is made: TLS verified against ``tlsCA``, or plaintext.
    var tls: TLSClientConfiguration? { self.tlsCA.map { TLSClientConfiguration(caFile: $0) } }

    /// A connection configuration to `address`, over TLS when the plan says so.
    func rpcConfiguration(_ address: ServerAddress) -> RPCClientConfiguration {
        var configuration = RPCClientConfiguration(host: address.host, port: address.port)
        configuration.tls = self.tls
        return configuration
    }

    static func load(path: String) throws -> ScoringPlan {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(ScoringPlan.self, from: data)
    }
}
