import Foundation
import Testing

/// Models, environments and compute targets through the real `modelgate` binary.
@Suite("modelgate model, environment and compute, end to end")
struct ModelEndToEndTests {
    @Test("A user registers a model folder, an environment and a cluster, lists and shows them, and cleans up")
    func modelJourney() throws {
        // Given a server with a workspace, chosen through MODELGATE_WORKSPACE
        let server = try ServerProcess()
        let workspace = ["MODELGATE_WORKSPACE": "ml-prod"]
        let created = try server.cli(["workspace", "create", "--name", "ml-prod", "--region", "westeurope"])
        #expect(created.status == 0, "\(created.stderr)")
        let files = server.dataDirectory + "-files"
        try FileManager.default.createDirectory(atPath: files + "/outputs/config", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: files) }
        let weights = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        try weights.write(to: URL(fileURLWithPath: files + "/outputs/weights.bin"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: files + "/outputs/config/params.json"))
        try Data("# nothing to install yet\n\n".utf8).write(to: URL(fileURLWithPath: files + "/requirements.txt"))

        // When a folder larger than one chunk is registered twice
        let first = try server.cli(["model", "register", "--name", "iris", "--path", files + "/outputs", "--tag", "stage=dev"], environment: workspace)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("outputs/weights.bin"))
        let second = try server.cli(["model", "register", "-w", "ml-prod", "--name", "iris", "--path", files + "/outputs", "--output", "json"])
        #expect(second.status == 0, "\(second.stderr)")
        let registered = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(registered["version"] as? Int == 2)
        #expect(registered["sizeBytes"] as? Int == 3_000_002)

        // Then listing, filtering and showing find them
        let listed = try server.cli(["model", "list", "--output", "json"], environment: workspace)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(rows.compactMap { $0["version"] as? Int } == [1, 2])
        let tagged = try server.cli(["model", "list", "--tag", "stage=dev", "--output", "json"], environment: workspace)
        let taggedRows = try #require(try JSONSerialization.jsonObject(with: Data(tagged.stdout.utf8)) as? [[String: Any]])
        #expect(taggedRows.compactMap { $0["version"] as? Int } == [1])
        let shown = try server.cli(["model", "show", "--name", "iris", "--version", "1"], environment: workspace)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("stage=dev"))

        // And an environment and a cluster are registered and shown
        let environment = try server.cli(["environment", "register", "--name", "plain", "--requirements", files + "/requirements.txt"], environment: workspace)
        #expect(environment.status == 0, "\(environment.stderr)")
        #expect(environment.stdout.contains("none"))
        let environmentShown = try server.cli(["environment", "show", "--name", "plain", "--output", "json"], environment: workspace)
        let environmentJSON = try #require(try JSONSerialization.jsonObject(with: Data(environmentShown.stdout.utf8)) as? [String: Any])
        #expect(environmentJSON["version"] as? Int == 1)
        #expect((environmentJSON["contentHash"] as? String)?.count == 64)

        let attached = try server.cli(["compute", "attach", "aks", "--name", "aks-prod", "--cores", "12", "--memory-gb", "48", "--purpose", "DevTest"], environment: workspace)
        #expect(attached.status == 0, "\(attached.stderr)")
        #expect(attached.stdout.contains("DevTest"))
        #expect(attached.stdout.contains("westeurope"))
        let computes = try server.cli(["compute", "list", "--output", "json"], environment: workspace)
        let computeRows = try #require(try JSONSerialization.jsonObject(with: Data(computes.stdout.utf8)) as? [[String: Any]])
        #expect(computeRows.compactMap { $0["name"] as? String } == ["aks-prod"])
        let badRegion = try server.cli(["compute", "attach", "aks", "--name", "aks-two", "--region", "atlantis", "--cores", "1", "--memory-gb", "1"], environment: workspace)
        #expect(badRegion.status != 0)
        #expect(badRegion.stderr.contains("INVALID_ARGUMENT"))

        // And everything is removed again
        #expect(try server.cli(["compute", "detach", "--name", "aks-prod"], environment: workspace).status == 0)
        #expect(try server.cli(["model", "delete", "--name", "iris", "--version", "1"], environment: workspace).status == 0)
        let gone = try server.cli(["model", "show", "--name", "iris", "--version", "1"], environment: workspace)
        #expect(gone.status == 3)
        #expect(gone.stderr.contains("NOT_FOUND"))

        // Without a workspace, commands say how to give one
        let missing = try server.cli(["model", "list"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("MODELGATE_WORKSPACE"))
    }
}
