import Foundation
import ModelGateAPI
@testable import ModelGateServer
import NIOPosix
import Testing

/// The example in `examples/linear-regression` served as it is in the repository: its own
/// `score.py` (named by its `inferenceconfig.json`) and its committed `model/` directory, on a
/// real pool of a real Python replica. If the example and the data plane drift apart, this fails.
@Suite("ExampleModel", .timeLimit(.minutes(1)))
struct ExampleModelTests {
    /// `examples/linear-regression`, found from this file's path (four levels below the root).
    static let exampleDirectory: URL = URL(filePath: #filePath)
        .deletingLastPathComponent()  // DataPlane
        .deletingLastPathComponent()  // ModelGateServerTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the repository
        .appending(path: "examples/linear-regression")

    /// What `train.py` writes to `model/weights.json`.
    struct Weights: Decodable {
        var features: [String]
        var coefficients: [Double]
        var intercept: Double
    }

    /// The parts of Azure's `inferenceconfig.json` the pool needs.
    struct InferenceConfigFile: Decodable {
        var entryScript: String
        var sourceDirectory: String
    }

    struct Request: Decodable { var data: [[Double]] }
    struct Predictions: Decodable { var predictions: [Double] }

    static func read<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: Self.exampleDirectory.appending(path: path)))
    }

    /// Runs `body` with a one-replica pool serving the example from the repository itself.
    static func withExamplePool<T: Sendable>(_ body: (ReplicaPool) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory()
        let config = try Self.read(InferenceConfigFile.self, "inferenceconfig.json")
        let source = Self.exampleDirectory.appending(path: config.sourceDirectory).standardized.path
        let program = ReplicaProgram(
            entryScript: config.entryScript, sourceDirectory: source,
            modelDirectory: Self.exampleDirectory.appending(path: "model").path,
            // The source directory is the repository's: leave no __pycache__ in it.
            environment: ["PYTHONDONTWRITEBYTECODE": "1"]
        )
        let pool = ReplicaPool(
            configuration: ServedScript.configuration(program: program, replicas: 1),
            backend: try ServedScript.makeBackend(in: directory.path), logs: ServiceLogBuffer(),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: quietLogger
        )
        return try await ServedScript.run(pool, body)
    }

    @Test("The example scores sample-request.json with the weights in model/weights.json")
    func sampleRequestMatchesWeights() async throws {
        let weights = try Self.read(Weights.self, "model/weights.json")
        let request = try Self.read(Request.self, "sample-request.json")
        let body = try Data(contentsOf: Self.exampleDirectory.appending(path: "sample-request.json"))
        #expect(weights.features == ["x0", "x1", "x2"])
        #expect(request.data.count == 3)

        try await Self.withExamplePool { pool in
            #expect(await pool.waitUntilSettled() == .healthy)

            let answer = try await pool.score(ReplicaRequest(body: Array(body)))

            #expect(answer.status == 200)
            #expect(answer.failure(serviceName: "ws/linear-regression") == nil)
            let predictions = try JSONDecoder().decode(Predictions.self, from: Data(answer.body)).predictions
            let expected = request.data.map { row in
                zip(weights.coefficients, row).reduce(weights.intercept) { $0 + $1.0 * $1.1 }
            }
            #expect(predictions.count == expected.count)
            for (predicted, wanted) in zip(predictions, expected) {
                #expect(abs(predicted - wanted) <= 1e-9, "predicted \(predicted), weights give \(wanted)")
            }
            #expect(pool.logs.tail(0).contains {
                $0.source == .stdout && $0.text.contains("linear-regression: loaded 3 coefficients (x0, x1, x2)")
            })
        }
    }

    @Test("A malformed body fails with INTERNAL carrying run()'s ValueError, and the replica keeps serving")
    func malformedBodyIsInternalWithTheValueError() async throws {
        try await Self.withExamplePool { pool in
            #expect(await pool.waitUntilSettled() == .healthy)

            let shortRow = try await pool.score(#"{"data": [[1, 2]]}"#)
            let notJSON = try await pool.score("x0=1")
            let fine = try await pool.score(#"{"data": [[0, 0, 0]]}"#)

            let failure = try #require(shortRow.failure(serviceName: "ws/linear-regression"))
            #expect(failure.code == .internal)
            #expect(failure.message.contains("ValueError: row 0 must be a list of 3 numbers (x0, x1, x2), got [1, 2]"))
            #expect(shortRow.status == 500)
            let notJSONFailure = try #require(notJSON.failure(serviceName: "ws/linear-regression"))
            #expect(notJSONFailure.code == .internal)
            #expect(notJSONFailure.message.contains("ValueError: request body is not JSON"))
            #expect(fine.status == 200)
            #expect(try JSONDecoder().decode(Predictions.self, from: Data(fine.body)).predictions.count == 1)
        }
    }
}
