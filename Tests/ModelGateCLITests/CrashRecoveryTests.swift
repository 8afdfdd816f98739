import Foundation
import Testing

/// A server killed with SIGKILL comes back with its services: the real binary,
/// the example deployed through the CLI, `kill -9`, a restart, and the same key
/// scoring the same model again without a redeploy.
@Suite("modelgate serve after kill -9", .timeLimit(.minutes(3)))
struct CrashRecoveryTests {
    static let example = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/linear-regression")

    static func json(_ result: CLIResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    @Test("A Healthy service comes back Healthy after kill -9, with the same keys and predictions")
    func serviceSurvivesKill9() throws {
        let server = try ServerProcess()
        let workspace = ["MODELGATE_WORKSPACE": "crash-test"]
        func cli(_ arguments: [String]) throws -> CLIResult {
            let result = try server.cli(arguments, environment: workspace)
            #expect(result.status == 0, "modelgate \(arguments.joined(separator: " ")): \(result.stderr)\n\(result.stdout)")
            return result
        }
        _ = try cli(["workspace", "create", "--name", "crash-test", "--region", "westeurope"])
        _ = try cli(["model", "register", "--name", "linear-regression", "--path", Self.example.appendingPathComponent("model").path])
        _ = try cli(["compute", "attach", "aks", "--name", "aks1", "--cores", "2", "--memory-gb", "4"])
        _ = try cli([
            "model", "deploy", "-n", "linear", "-m", "linear-regression:1",
            "-ic", Self.example.appendingPathComponent("inferenceconfig.json").path,
            "-dc", Self.example.appendingPathComponent("deploymentconfig.json").path, "-ct", "aks1",
        ])
        let keys = try Self.json(try cli(["service", "get-keys", "-n", "linear", "--output", "json"]))
        let input = #"{"data": [[1.0, 2.0, 3.0]]}"#
        let before = try cli(["service", "run", "-n", "linear", "--input-data", input])

        #expect(server.stop(signal: SIGKILL) == SIGKILL)
        try server.start()

        // The service is restored in the background: wait for it, as a user would with `service show`.
        let deadline = Date().addingTimeInterval(60)
        var state = ""
        while Date() < deadline {
            let shown = try server.cli(["service", "show", "-n", "linear", "--output", "json"], environment: workspace)
            state = (try? Self.json(shown))?["state"] as? String ?? shown.stderr
            if state.lowercased().contains("healthy") && !state.lowercased().contains("unhealthy") { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(state.lowercased().hasSuffix("healthy") && !state.lowercased().contains("unhealthy"), "state after restart: \(state)\n\(server.log)")
        let keysAfter = try Self.json(try cli(["service", "get-keys", "-n", "linear", "--output", "json"]))
        #expect(NSDictionary(dictionary: keysAfter).isEqual(to: keys), "keys changed: \(keys) -> \(keysAfter)")
        let after = try cli(["service", "run", "-n", "linear", "--input-data", input])
        #expect(after.stdout == before.stdout)
        #expect(before.stdout.contains("predictions"))
        server.stop()
    }
}
