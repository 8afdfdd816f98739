import Foundation
import ModelGateTestSupport
import Testing

/// Deploying and scoring through the real `modelgate` binary, as a user of `az ml` would:
/// the example model deployed with its own Azure config files, progress read as it
/// happens, predictions checked against the model's weights.
@Suite("modelgate model deploy and service, end to end")
struct DeployEndToEndTests {
    static let example = RepositoryLayout.root.appending(path: "examples/linear-regression").path

    /// A temporary folder for config files and scripts, removed afterwards.
    final class Folder: Sendable {
        let path: String
        init() throws {
            self.path = NSTemporaryDirectory() + "modelgate-deploy-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: self.path) }

        @discardableResult
        func write(_ name: String, _ text: String) throws -> String {
            let full = self.path + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: full))
            return full
        }
    }

    /// `intercept + Σ coefficient·x` for each row of the example's sample request, from its weights file.
    static func expectedPredictions() throws -> [Double] {
        let weights = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.example + "/model/weights.json"))) as? [String: Any])
        let coefficients = try #require(weights["coefficients"] as? [Double])
        let intercept = try #require(weights["intercept"] as? Double)
        let request = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.example + "/sample-request.json"))) as? [String: Any])
        let rows = try #require(request["data"] as? [[Double]])
        return rows.map { row in zip(coefficients, row).reduce(intercept) { $0 + $1.0 * $1.1 } }
    }

    /// The predictions in a `service run` answer.
    static func predictions(in stdout: String) throws -> [Double] {
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(stdout)")
        return try #require(answer["predictions"] as? [Double])
    }

    static func expectClose(_ actual: [Double], _ expected: [Double]) {
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) < 1e-9, "\(actual) vs \(expected)")
        }
    }

    static func json(_ stdout: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(stdout)")
    }

    /// A server with workspace `ml-prod` (chosen through MODELGATE_WORKSPACE) and the example model registered as `linreg:1`.
    static func serverWithExampleModel() throws -> (ServerProcess, [String: String]) {
        let server = try ServerProcess()
        let workspace = ["MODELGATE_WORKSPACE": "ml-prod"]
        let created = try server.cli(["workspace", "create", "--name", "ml-prod", "--region", "westeurope"])
        #expect(created.status == 0, "\(created.stderr)")
        let registered = try server.cli(["model", "register", "--name", "linreg", "--path", Self.example + "/model"], environment: workspace)
        #expect(registered.status == 0, "\(registered.stderr)")
        return (server, workspace)
    }

    @Test("The example deploys to AKS with keys, shows its progress, predicts, and its keys rotate")
    func aksDeploymentWithKeys() throws {
        // Given a server with the example model and an AKS cluster
        let (server, workspace) = try Self.serverWithExampleModel()
        let attached = try server.cli(["compute", "attach", "aks", "--name", "aks-prod", "--cores", "4", "--memory-gb", "8"], environment: workspace)
        #expect(attached.status == 0, "\(attached.stderr)")

        // When the example is deployed with its own Azure config files
        let deployed = try server.cli([
            "model", "deploy", "-n", "linreg", "-m", "linreg:1", "-ic", Self.example + "/inferenceconfig.json",
            "-dc", Self.example + "/deploymentconfig.json", "-ct", "aks-prod",
        ], environment: workspace)

        // Then the progress is printed as it happens, ending Healthy
        #expect(deployed.status == 0, "\(deployed.stdout)\n\(deployed.stderr)")
        #expect(deployed.stdout.contains("Packed 2 file(s)"), "\(deployed.stdout)")
        #expect(deployed.stdout.contains("aks-prod"))
        #expect(deployed.stdout.contains("init()"))
        #expect(deployed.stdout.contains("finished: Healthy"))
        #expect(deployed.stdout.contains("auth:          key"))
        #expect(deployed.stderr.isEmpty, "\(deployed.stderr)")

        // And `service run` (fetching the primary key itself) prints the model's predictions
        let expected = try Self.expectedPredictions()
        let run = try server.cli(["service", "run", "-n", "linreg", "--input-data", "@" + Self.example + "/sample-request.json"], environment: workspace)
        #expect(run.status == 0, "\(run.stderr)")
        Self.expectClose(try Self.predictions(in: run.stdout), expected)

        // And the keys rotate: the regenerated key's old value fails at once, the other key keeps working
        let keys = try Self.json(try server.cli(["service", "get-keys", "-n", "linreg", "-o", "json"], environment: workspace).stdout)
        let primary = try #require(keys["primaryKey"] as? String)
        let oldSecondary = try #require(keys["secondaryKey"] as? String)
        #expect(primary.count >= 43 && oldSecondary.count >= 43 && primary != oldSecondary)
        let regenerated = try server.cli(["service", "regen-key", "-n", "linreg", "--key", "Secondary", "-o", "json"], environment: workspace)
        #expect(regenerated.status == 0, "\(regenerated.stderr)")
        let after = try Self.json(regenerated.stdout)
        let newSecondary = try #require(after["secondaryKey"] as? String)
        #expect(after["primaryKey"] as? String == primary)
        #expect(newSecondary != oldSecondary)
        let body = #"{"data": [[1.0, 2.0, 3.0]]}"#
        let stale = try server.cli(["service", "run", "-n", "linreg", "-d", body, "--key", oldSecondary], environment: workspace)
        #expect(stale.status == 4)
        #expect(stale.stderr.contains("UNAUTHENTICATED"))
        for key in [primary, newSecondary] {
            let fresh = try server.cli(["service", "run", "-n", "linreg", "-d", body, "--key", key], environment: workspace)
            #expect(fresh.status == 0, "\(fresh.stderr)")
            Self.expectClose(try Self.predictions(in: fresh.stdout), [expected[0]])
        }

        // And list, update, get-logs and delete work on it
        let listed = try server.cli(["service", "list", "-o", "json"], environment: workspace)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["name"] as? String } == ["linreg"])
        #expect(rows.first?["state"] as? String == "Healthy")
        #expect(rows.first?["authEnabled"] as? Bool == true)
        let updated = try server.cli(["service", "update", "-n", "linreg", "--tag", "stage=prod", "-o", "json"], environment: workspace)
        #expect(updated.status == 0, "\(updated.stderr)")
        let updatedJSON = try Self.json(updated.stdout)
        #expect(updatedJSON["tags"] as? [String: String] == ["stage": "prod"])
        #expect(updatedJSON["state"] as? String == "Healthy")
        let logs = try server.cli(["service", "get-logs", "-n", "linreg"], environment: workspace)
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout.contains("linear-regression: loaded 3 coefficients"))
        #expect(try server.cli(["service", "delete", "-n", "linreg"], environment: workspace).status == 0)
        let gone = try server.cli(["service", "show", "-n", "linreg"], environment: workspace)
        #expect(gone.status == 3)
        #expect(gone.stderr.contains("NOT_FOUND"))
    }

    @Test("The example deploys to ACI without keys, and a bad request fails with run()'s error")
    func aciDeploymentWithoutKeys() throws {
        // Given a server with the example model and an ACI deployment config (auth off by default)
        let (server, workspace) = try Self.serverWithExampleModel()
        let folder = try Folder()
        let config = try folder.write("aci.json", #"{"computeType": "aci", "containerResourceRequirements": {"cpu": 0.1, "memoryInGB": 0.5}}"#)

        // When it is deployed with JSON output
        let deployed = try server.cli([
            "model", "deploy", "-n", "linreg-aci", "-m", "linreg:1", "-ic", Self.example + "/inferenceconfig.json", "-dc", config, "-o", "json",
        ], environment: workspace)

        // Then stdout is the final service as JSON, and the progress went to stderr
        #expect(deployed.status == 0, "\(deployed.stdout)\n\(deployed.stderr)")
        let service = try Self.json(deployed.stdout)
        #expect(service["state"] as? String == "Healthy")
        #expect(service["computeType"] as? String == "ACI")
        #expect(service["authEnabled"] as? Bool == false)
        #expect(deployed.stderr.contains("finished: Healthy"))

        // And it answers without a key
        let run = try server.cli(["service", "run", "-n", "linreg-aci", "--input-data", "@" + Self.example + "/sample-request.json"], environment: workspace)
        #expect(run.status == 0, "\(run.stderr)")
        Self.expectClose(try Self.predictions(in: run.stdout), try Self.expectedPredictions())

        // And a malformed request fails with the ValueError run() raised
        let bad = try server.cli(["service", "run", "-n", "linreg-aci", "-d", #"{"data": [[1, 2]]}"#], environment: workspace)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("INTERNAL"))
        #expect(bad.stderr.contains("ValueError: row 0 must be a list of 3 numbers"))
    }

    @Test("A broken score.py makes deploy exit 1 with the traceback", arguments: [
        ("import no_such_module_for_modelgate\ndef init():\n    pass\ndef run(raw):\n    return raw\n", "ModuleNotFoundError"),
        ("def init():\n    raise RuntimeError('boom in init')\ndef run(raw):\n    return raw\n", "RuntimeError: boom in init"),
    ])
    func brokenScriptFails(script: String, error: String) throws {
        // Given a score.py that cannot start
        let (server, workspace) = try Self.serverWithExampleModel()
        let folder = try Folder()
        try folder.write("score.py", script)
        let inference = try folder.write("inferenceconfig.json", #"{"entryScript": "score.py", "sourceDirectory": "."}"#)
        let deployment = try folder.write("deploymentconfig.json", #"{"computeType": "aci"}"#)

        // When it is deployed
        let deployed = try server.cli(["model", "deploy", "-n", "broken", "-m", "linreg:1", "-ic", inference, "-dc", deployment], environment: workspace)

        // Then deploy exits 1, says Failed, and shows the traceback on stderr
        #expect(deployed.status == 1, "\(deployed.stdout)\n\(deployed.stderr)")
        #expect(deployed.stdout.contains("finished: Failed"))
        #expect(deployed.stderr.contains("service 'broken' is Failed"))
        #expect(deployed.stderr.contains("Traceback"))
        #expect(deployed.stderr.contains(error))
    }

    @Test("A config file with a wrong type stops deploy before it calls the server, naming the file and key")
    func badConfigFileStopsDeploy() throws {
        let folder = try Folder()
        try folder.write("score.py", "def init():\n    pass\ndef run(raw):\n    return raw\n")
        let inference = try folder.write("inferenceconfig.json", #"{"entryScript": "score.py", "sourceDirectory": ".", "colour": "red"}"#)
        let deployment = try folder.write("deploymentconfig.json", #"{"computeType": "aks", "autoScaler": {"maxReplicas": "many"}}"#)
        let port = try ServerProcess.freePort()

        let result = try ServerProcess.run([
            "model", "deploy", "-w", "ws1", "-n", "s", "-m", "m:1", "-ic", inference, "-dc", deployment, "--server", "127.0.0.1:\(port)",
            "--data-dir", folder.path,
        ], environment: [:])

        #expect(result.status != 0)
        #expect(result.stderr.contains("warning: \(inference): unknown key 'colour' ignored"))
        #expect(result.stderr.contains("\(deployment): autoScaler.maxReplicas must be a whole number"))
        #expect(!result.stderr.contains("UNAVAILABLE"))
    }
}
