import Foundation
import ModelGateTestSupport
import Testing

/// An endpoint through the real `modelgate` binary, as `az ml endpoint realtime` is used:
/// create with a first version, add a 20 % version, kill -9 and restart, show, score pinned to each, delete.
@Suite("modelgate endpoint, end to end")
struct EndpointEndToEndTests {
    @Test("create, version create at 20 %, kill -9, show, run pinned to a version, version delete, delete")
    func journey() throws {
        let (server, workspace) = try DeployEndToEndTests.serverWithExampleModel()
        let attached = try server.cli(["compute", "attach", "aks", "--name", "aks-prod", "--cores", "4", "--memory-gb", "8"], environment: workspace)
        #expect(attached.status == 0, "\(attached.stderr)")
        let inference = DeployEndToEndTests.example + "/inferenceconfig.json"

        let created = try server.cli([
            "endpoint", "create", "-n", "linreg-ep", "--version-name", "versiona", "-m", "linreg:1", "-ic", inference,
            "-ct", "aks-prod", "--traffic-percentile", "20",
        ], environment: workspace)
        #expect(created.status == 0, "\(created.stdout)\n\(created.stderr)")
        #expect(created.stdout.contains("Endpoint 'linreg-ep' is Healthy"), "\(created.stdout)")
        #expect(created.stdout.contains("versiona Healthy 20% (gets 100%) treatment default 1/1 ready"), "\(created.stdout)")

        let added = try server.cli([
            "endpoint", "version", "create", "-n", "linreg-ep", "--version-name", "versionb", "-m", "linreg:1", "-ic", inference,
            "--traffic-percentile", "20", "--is-control-version-type",
        ], environment: workspace)
        #expect(added.status == 0, "\(added.stdout)\n\(added.stderr)")

        // kill -9 and a restart: the endpoint comes back with both versions (each stored whole, in one transaction).
        #expect(server.stop(signal: SIGKILL) == SIGKILL)
        try server.start()
        let deadline = Date().addingTimeInterval(60)
        var shown = try server.cli(["endpoint", "show", "-n", "linreg-ep", "-o", "json"], environment: workspace)
        while Date() < deadline, (try? DeployEndToEndTests.json(shown.stdout))?["state"] as? String != "Healthy" {
            Thread.sleep(forTimeInterval: 0.2)
            shown = try server.cli(["endpoint", "show", "-n", "linreg-ep", "-o", "json"], environment: workspace)
        }
        #expect(shown.status == 0, "\(shown.stderr)")
        let endpoint = try DeployEndToEndTests.json(shown.stdout)
        #expect(endpoint["state"] as? String == "Healthy", "\(shown.stdout)\n\(server.log)")
        #expect(endpoint["defaultVersion"] as? String == "versiona")
        let versions = try #require(endpoint["versions"] as? [[String: Any]])
        #expect(versions.map { $0["name"] as? String } == ["versiona", "versionb"])
        #expect(versions.map { $0["effectiveTrafficPercentile"] as? Double } == [80, 20])
        #expect(versions.map { $0["versionType"] as? String } == ["treatment", "control"])

        let listed = try server.cli(["endpoint", "list"], environment: workspace)
        #expect(listed.stdout.contains("versiona 80%, versionb 20%"), "\(listed.stdout)")

        let expected = try DeployEndToEndTests.expectedPredictions()
        for version in ["versiona", "versionb"] {
            let run = try server.cli([
                "service", "run", "-n", "linreg-ep", "--version", version,
                "--input-data", "@" + DeployEndToEndTests.example + "/sample-request.json",
            ], environment: workspace)
            #expect(run.status == 0, "\(run.stderr)")
            DeployEndToEndTests.expectClose(try DeployEndToEndTests.predictions(in: run.stdout), expected)
            #expect(run.stderr.contains("served by version '\(version)'"), "\(run.stderr)")
        }
        let unknown = try server.cli([
            "service", "run", "-n", "linreg-ep", "--version", "versionz", "--input-data", "{}",
        ], environment: workspace)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("versionz"), "\(unknown.stderr)")

        let refused = try server.cli(["endpoint", "version", "delete", "-n", "linreg-ep", "--version-name", "versiona"], environment: workspace)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("FAILED_PRECONDITION"), "\(refused.stderr)")
        let removed = try server.cli(["endpoint", "version", "delete", "-n", "linreg-ep", "--version-name", "versionb"], environment: workspace)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!removed.stdout.contains("versionb"), "\(removed.stdout)")

        let deleted = try server.cli(["endpoint", "delete", "-n", "linreg-ep"], environment: workspace)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let gone = try server.cli(["endpoint", "show", "-n", "linreg-ep"], environment: workspace)
        #expect(gone.status != 0)
        #expect(gone.stderr.contains("NOT_FOUND"), "\(gone.stderr)")
    }
}
