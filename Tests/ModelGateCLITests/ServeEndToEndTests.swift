import Foundation
import Testing

/// The `modelgate` binary end to end: `serve` on a real socket and data
/// directory, driven by the client commands, as a user would.
@Suite("modelgate serve, end to end")
struct ServeEndToEndTests {
    @Test("A workspace created before kill -9 is there after restart")
    func workspaceSurvivesKill9() throws {
        // Given a server with a workspace
        let server = try ServerProcess()
        let created = try server.cli(["workspace", "create", "--name", "survivor", "--region", "westeurope"])
        #expect(created.status == 0, "\(created.stderr)")

        // When the server is killed with SIGKILL and started again on the same data directory
        #expect(server.stop(signal: SIGKILL) != 0)
        try server.start()

        // Then the workspace is still there, with its region
        let shown = try server.cli(["workspace", "show", "--name", "survivor", "--output", "json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        #expect(json["name"] as? String == "survivor")
        #expect(json["region"] as? String == "westeurope")
    }

    @Test("SIGTERM and SIGINT stop the server with exit status 0", arguments: [SIGTERM, SIGINT])
    func signalStopsGracefully(signal: Int32) throws {
        let server = try ServerProcess()
        #expect(server.stop(signal: signal) == 0, "\(server.log)")
    }

    @Test("Workspaces are created, shown, listed and deleted through the CLI")
    func workspaceLifecycle() throws {
        let server = try ServerProcess()

        let created = try server.cli(["workspace", "create", "--name", "ml-prod", "--region", "eastus", "--tag", "team=fraud"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("eastus"))
        #expect(created.stdout.contains("team=fraud"))

        let listed = try server.cli(["workspace", "list", "--output", "json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["name"] as? String } == ["ml-prod"])

        let deleted = try server.cli(["workspace", "delete", "--name", "ml-prod"])
        #expect(deleted.status == 0, "\(deleted.stderr)")

        // A deleted workspace is gone: non-zero exit, the status code and message on stderr.
        let missing = try server.cli(["workspace", "show", "--name", "ml-prod"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("NOT_FOUND"))
        #expect(missing.stderr.contains("ml-prod"))
        #expect(missing.stdout.isEmpty)
    }

    @Test("A workspace in an unknown region is refused with INVALID_ARGUMENT")
    func unknownRegionIsRefused() throws {
        let server = try ServerProcess()
        let result = try server.cli(["workspace", "create", "--name", "ws1", "--region", "atlantis"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("INVALID_ARGUMENT"))
        #expect(result.stderr.contains("atlantis"))
    }

    @Test("region list shows the seeded regions, as text and JSON")
    func regionList() throws {
        let server = try ServerProcess()
        let text = try server.cli(["region", "list"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("westeurope"))
        let json = try server.cli(["region", "list", "--output", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count >= 4)
        #expect(rows.allSatisfy { $0["available"] as? Bool == true })
    }

    @Test("The credentials file is readable only by its owner")
    func credentialsFileIsPrivate() throws {
        let server = try ServerProcess()
        let attributes = try FileManager.default.attributesOfItem(atPath: server.dataDirectory + "/credentials.json")
        let mode = try #require(attributes[.posixPermissions] as? NSNumber).intValue
        #expect(mode & 0o077 == 0, "mode is \(String(mode, radix: 8))")
        #expect(server.log.contains("credentials.json"))
    }

    @Test("Wrong credentials fail with UNAUTHENTICATED")
    func wrongCredentials() throws {
        let server = try ServerProcess()
        let path = server.dataDirectory + "/wrong.json"
        try Data(#"{"client_id": "nobody", "client_secret": "nothing"}"#.utf8).write(to: URL(fileURLWithPath: path))
        let result = try server.cli(["workspace", "list", "--credentials", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("UNAUTHENTICATED"))
    }

    @Test("A server that is not running fails with UNAVAILABLE")
    func serverNotRunning() throws {
        let port = try ServerProcess.freePort()
        let directory = try ServerProcess.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try ServerProcess.run(
            ["workspace", "list", "--server", "127.0.0.1:\(port)", "--data-dir", directory], environment: [:])
        #expect(result.status != 0)
        #expect(result.stderr.contains("UNAVAILABLE"))
    }
}

@Suite("modelgate serve, data directory")
struct DataDirectoryLockTests {
    @Test("A second server on the same data directory is refused while the first runs")
    func secondServerIsRefused() throws {
        // Given a running server
        let server = try ServerProcess()

        // When a second server starts on its data directory
        let port = try ServerProcess.freePort()
        let second = try ServerProcess.run(
            ["serve", "--listen", "127.0.0.1:\(port)", "--data-dir", server.dataDirectory], environment: [:])

        // Then it exits at once, saying why, and the first keeps serving
        #expect(second.status != 0)
        #expect(second.stderr.contains("another modelgate server"))
        #expect(try server.cli(["health"]).status == 0)
    }
}
