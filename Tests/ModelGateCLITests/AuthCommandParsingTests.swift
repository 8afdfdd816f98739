import ArgumentParser
import Testing

@testable import ModelGateCLI

/// The identity, role, login, region, token and chaos commands parse as documented.
@Suite("modelgate identity, role, login, region and token commands")
struct AuthCommandParsingTests {
    @Test("role assign takes a principal, a workspace and a role in any case")
    func roleAssignParses() throws {
        let command = try ModelGateCommand.parseAsRoot(["role", "assign", "--principal", "p1", "-w", "ws", "--role", "contributor"])
        let assign = try #require(command as? RoleCommand.Assign)
        #expect(assign.principal == "p1" && assign.role == .contributor && assign.workspace.workspace == "ws")
        #expect(assign.role.displayName == "Contributor")
    }

    @Test("region set takes exactly one of --available and --unavailable")
    func regionSetParses() throws {
        let down = try #require(try ModelGateCommand.parseAsRoot(["region", "set", "westeurope", "--unavailable"]) as? RegionCommand.Set)
        #expect(down.region == "westeurope" && down.availability == .unavailable)
        let up = try #require(try ModelGateCommand.parseAsRoot(["region", "set", "westeurope", "--available"]) as? RegionCommand.Set)
        #expect(up.availability == .available)
    }

    @Test("region latency takes two regions and --ms")
    func regionLatencyParses() throws {
        let latency = try #require(try ModelGateCommand.parseAsRoot(["region", "latency", "westeurope", "eastus", "--ms", "80"]) as? RegionCommand.Latency)
        #expect(latency.from == "westeurope" && latency.to == "eastus" && latency.ms == 80)
    }

    @Test("login reads the secret from the flag or MODELGATE_CLIENT_SECRET")
    func loginSecretSources() throws {
        let withFlag = try #require(try ModelGateCommand.parseAsRoot(["login", "--client-id", "c", "--client-secret", "s"]) as? LoginCommand)
        #expect(try withFlag.resolveSecret(environment: [:]) == "s")
        #expect(try LoginCommand.secret(flag: nil, environment: ["MODELGATE_CLIENT_SECRET": "e"]) == "e")
        #expect(try LoginCommand.secret(flag: "", environment: ["MODELGATE_CLIENT_SECRET": "e"]) == "e")
        #expect(throws: ValidationError.self) { try LoginCommand.secret(flag: nil, environment: [:]) }
    }

    @Test("login writes where the other commands read: --credentials, else MODELGATE_CREDENTIALS, else the data directory")
    func loginCredentialsPath() throws {
        let flagged = try #require(
            try ModelGateCommand.parseAsRoot(["login", "--client-id", "c", "--client-secret", "s", "--credentials", "/tmp/x.json"]) as? LoginCommand
        )
        #expect(flagged.credentialsPath(environment: ["MODELGATE_CREDENTIALS": "/tmp/y.json"]) == "/tmp/x.json")
        let plain = try #require(
            try ModelGateCommand.parseAsRoot(["login", "--client-id", "c", "--client-secret", "s", "--data-dir", "/tmp/d"]) as? LoginCommand
        )
        #expect(plain.credentialsPath(environment: ["MODELGATE_CREDENTIALS": "/tmp/y.json"]) == "/tmp/y.json")
        #expect(plain.credentialsPath(environment: [:]) == "/tmp/d/credentials.json")
    }

    @Test("Malformed auth and region arguments are refused before anything runs", arguments: [
        ["role", "assign", "--principal", "p1", "-w", "ws", "--role", "Admin"],
        ["region", "set", "westeurope"],
        ["region", "set", "westeurope", "--available", "--unavailable"],
        ["region", "latency", "westeurope", "westeurope", "--ms", "5"],
        ["region", "latency", "westeurope", "eastus", "--ms", "-1"],
        ["identity", "create-sp", "--name", " "],
        ["service", "run", "-w", "ws", "-n", "svc", "--input-data", "{}", "--key", "k", "--token", "t"],
        ["chaos", "--outage", "0"],
        ["chaos", "--region", "westeurope", "--cluster-region", "westeurope"],
    ])
    func malformedArgumentsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(arguments) }
    }

    @Test("service run takes --token as well as --key")
    func serviceRunTakesToken() throws {
        let run = try #require(try ModelGateCommand.parseAsRoot(["service", "run", "-w", "ws", "-n", "svc", "--input-data", "{}", "--token", "t"]) as? ServiceCommand.Run)
        #expect(run.token == "t" && run.key == nil)
    }
}
