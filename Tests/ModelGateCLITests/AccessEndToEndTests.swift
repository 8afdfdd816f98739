import Foundation
import Testing

/// Principals, roles, login, region outages and scoring tokens through the
/// real binary, as a user would type them.
@Suite("modelgate identity, role, login, region and tokens end to end", .timeLimit(.minutes(3)))
struct AccessEndToEndTests {
    static func json(_ result: CLIResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    @Test("An admin creates a service principal and makes it Reader; it logs in, reads, and is refused what needs Owner")
    func servicePrincipalJourney() throws {
        let server = try ServerProcess()
        func cli(_ arguments: [String], environment: [String: String] = [:], expecting status: Int32 = 0) throws -> CLIResult {
            let result = try server.cli(arguments, environment: environment)
            #expect(result.status == status, "modelgate \(arguments.joined(separator: " ")): \(result.stderr)\n\(result.stdout)")
            return result
        }
        // Given a workspace and a service principal with Reader on it
        _ = try cli(["workspace", "create", "--name", "shared", "--region", "westeurope"])
        let created = try Self.json(try cli(["identity", "create-sp", "--name", "scorer", "--output", "json"]))
        let clientID = try #require(created["clientId"] as? String)
        let secret = try #require(created["clientSecret"] as? String)
        #expect(!clientID.isEmpty && secret.count >= 40)
        let assigned = try Self.json(try cli(["role", "assign", "--principal", clientID, "-w", "shared", "--role", "Reader", "-o", "json"]))
        #expect(assigned["role"] as? String == "Reader")

        // When it logs in to its own credentials file
        let path = server.dataDirectory + "-scorer.json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try cli(["login", "--client-id", clientID, "--credentials", path], environment: ["MODELGATE_CLIENT_SECRET": secret])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // Then the other commands act as it: reading works, deleting is refused naming Owner
        let asScorer = ["MODELGATE_CREDENTIALS": path]
        let shown = try Self.json(try cli(["workspace", "show", "-n", "shared", "-o", "json"], environment: asScorer))
        #expect(shown["name"] as? String == "shared")
        let refused = try cli(["workspace", "delete", "-n", "shared"], environment: asScorer, expecting: 4)
        #expect(refused.stderr.contains("PERMISSION_DENIED") && refused.stderr.contains("needs Owner"), "\(refused.stderr)")
        let notAdmin = try cli(["identity", "create-sp", "--name", "x"], environment: asScorer, expecting: 4)
        #expect(notAdmin.stderr.contains("only an admin principal may"), "\(notAdmin.stderr)")

        // And login refuses to overwrite the admin's credentials file without --force, or with a wrong secret
        let overwrite = try cli(["login", "--client-id", clientID, "--client-secret", secret], expecting: 64)
        #expect(overwrite.stderr.contains("--force"), "\(overwrite.stderr)")
        let wrong = try cli(["login", "--client-id", clientID, "--client-secret", "wrong", "--credentials", path + ".x"], expecting: 4)
        #expect(wrong.stderr.contains("UNAUTHENTICATED"), "\(wrong.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path + ".x"))
        server.stop()
    }

    @Test("region set takes a workspace's region down and back; region latency changes the table")
    func regionOutageThroughTheCLI() throws {
        let server = try ServerProcess()
        func cli(_ arguments: [String], expecting status: Int32 = 0) throws -> CLIResult {
            let result = try server.cli(arguments)
            #expect(result.status == status, "modelgate \(arguments.joined(separator: " ")): \(result.stderr)\n\(result.stdout)")
            return result
        }
        // Given workspaces in two regions
        _ = try cli(["workspace", "create", "--name", "west", "--region", "westeurope"])
        _ = try cli(["workspace", "create", "--name", "east", "--region", "eastus"])

        // When westeurope is marked unavailable
        _ = try cli(["region", "set", "westeurope", "--unavailable", "--reason", "drill"])

        // Then 'west' fails with UNAVAILABLE (exit 5) naming the region and a retry hint, 'east' answers
        let down = try cli(["workspace", "show", "-n", "west"], expecting: 5)
        #expect(down.stderr.contains("UNAVAILABLE") && down.stderr.contains("'westeurope'") && down.stderr.contains("retry"), "\(down.stderr)")
        _ = try cli(["workspace", "show", "-n", "east"])

        // When it comes back, Then 'west' answers again at once
        _ = try cli(["region", "set", "westeurope", "--available"])
        _ = try cli(["workspace", "show", "-n", "west"])

        // And a latency set one way shows both ways
        _ = try cli(["region", "latency", "westeurope", "eastus", "--ms", "95"])
        let regions = try #require(
            try JSONSerialization.jsonObject(with: Data(try cli(["region", "list", "-o", "json"]).stdout.utf8)) as? [[String: Any]]
        )
        let east = try #require(regions.first { $0["name"] as? String == "eastus" })
        #expect((east["latencies"] as? [String: Int])?["westeurope"] == 95)
        server.stop()
    }

    @Test("A token-auth service: get-access-token prints Azure's fields, run fetches or takes a token, signing-keys prints the JWKS")
    func tokenCommands() throws {
        let server = try ServerProcess()
        let workspace = ["MODELGATE_WORKSPACE": "tokens"]
        func cli(_ arguments: [String], expecting status: Int32 = 0) throws -> CLIResult {
            let result = try server.cli(arguments, environment: workspace)
            #expect(result.status == status, "modelgate \(arguments.joined(separator: " ")): \(result.stderr)\n\(result.stdout)")
            return result
        }
        // Given an echo script deployed with token auth on an AKS cluster
        let source = server.dataDirectory + "-source"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: source) }
        try "def init():\n    pass\n\n\ndef run(raw_data):\n    return raw_data\n".write(toFile: source + "/score.py", atomically: true, encoding: .utf8)
        try #"{"entryScript": "score.py", "sourceDirectory": "."}"#.write(toFile: source + "/inferenceconfig.json", atomically: true, encoding: .utf8)
        try #"{"computeType": "aks", "authEnabled": false, "tokenAuthEnabled": true}"#
            .write(toFile: source + "/deploymentconfig.json", atomically: true, encoding: .utf8)
        _ = try cli(["workspace", "create", "--name", "tokens", "--region", "westeurope"])
        _ = try cli(["compute", "attach", "aks", "--name", "aks1", "--cores", "2", "--memory-gb", "4"])
        try "{}".write(toFile: source + "/weights.json", atomically: true, encoding: .utf8)
        _ = try cli(["model", "register", "--name", "weights", "--path", source + "/weights.json"])
        _ = try cli([
            "model", "deploy", "-n", "echo", "-m", "weights:1", "-ic", source + "/inferenceconfig.json", "-dc", source + "/deploymentconfig.json", "-ct", "aks1",
        ])

        // When a token is fetched, Then the JSON has Azure's fields, in Unix seconds
        let token = try Self.json(try cli(["service", "get-access-token", "-n", "echo", "-o", "json"]))
        let accessToken = try #require(token["accessToken"] as? String)
        #expect(token["tokenType"] as? String == "Bearer")
        let refreshAfter = try #require(token["refreshAfter"] as? Int)
        let expiryOn = try #require(token["expiryOn"] as? Int)
        let now = Int(Date().timeIntervalSince1970)
        #expect(now < refreshAfter && refreshAfter < expiryOn && expiryOn < now + 2 * 24 * 3600, "\(token)")

        // And the token's kid is in the JWKS that signing-keys prints
        let jwks = try Self.json(try cli(["workspace", "signing-keys"]))
        let keys = try #require(jwks["keys"] as? [[String: Any]])
        let header = try Self.header(of: accessToken)
        #expect(keys.contains { $0["kid"] as? String == header["kid"] as? String && $0["kty"] as? String == "EC" }, "\(jwks)")

        // And run scores with the token given, with one it fetches itself, and refuses a bad one
        #expect(try cli(["service", "run", "-n", "echo", "--input-data", #"{"a": 1}"#, "--token", accessToken]).stdout.contains("a"))
        #expect(try cli(["service", "run", "-n", "echo", "--input-data", #"{"b": 2}"#]).stdout.contains("b"))
        let bad = try cli(["service", "run", "-n", "echo", "--input-data", "{}", "--token", "not.a.token"], expecting: 4)
        #expect(bad.stderr.contains("UNAUTHENTICATED"), "\(bad.stderr)")
        server.stop()
    }

    /// The decoded JOSE header of a JWT.
    static func header(of token: String) throws -> [String: Any] {
        var part = String(try #require(token.split(separator: ".").first))
            .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while part.count % 4 != 0 { part += "=" }
        let data = try #require(Data(base64Encoded: part))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
