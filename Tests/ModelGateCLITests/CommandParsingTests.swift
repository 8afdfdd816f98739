import ArgumentParser
import Testing

@testable import ModelGateCLI

/// The command line parses as documented, without running anything.
@Suite("modelgate command line")
struct CommandParsingTests {
    @Test("workspace create takes a name, a region and tags")
    func workspaceCreateParses() throws {
        let command = try ModelGateCommand.parseAsRoot(
            ["workspace", "create", "--name", "w1", "--region", "westeurope", "--tag", "a=b", "--output", "json"])
        let create = try #require(command as? WorkspaceCommand.Create)
        #expect(create.name == "w1")
        #expect(create.region == "westeurope")
        #expect(try Tags.parse(create.tag) == ["a": "b"])
        #expect(create.options.output == .json)
    }

    @Test("workspace show accepts -w like az ml")
    func workspaceShowAcceptsShortFlag() throws {
        let command = try ModelGateCommand.parseAsRoot(["workspace", "show", "-w", "w1"])
        #expect((command as? WorkspaceCommand.Show)?.name == "w1")
    }

    @Test("Malformed arguments are refused before anything runs", arguments: [
        ["workspace", "create", "--name", "w1", "--region", "westeurope", "--tag", "novalue"],
        ["serve", "--listen", "not an address:port"],
        ["serve", "--log-level", "loud"],
        ["serve", "--token-lifetime", "600", "--token-refresh-after", "600"],
        ["serve", "--token-refresh-after", "0"],
        ["serve", "--signing-key-lifetime", "10"],
        ["workspace", "create", "--name", "w1"],
        ["workspace", "list", "--output", "yaml"],
    ])
    func malformedArgumentsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(arguments) }
    }

    @Test("serve defaults to 127.0.0.1:7070")
    func serveDefaults() throws {
        let serve = try #require(try ModelGateCommand.parseAsRoot(["serve"]) as? Serve)
        #expect(serve.listen == "127.0.0.1:7070")
        #expect(serve.maxMessageSize == 4 * 1024 * 1024)
        #expect(serve.maxConcurrentStreams == 100)
        #expect(serve.tokenLifetime == 3600 && serve.tokenRefreshAfter == 1800 && serve.tokenClockSkew == 30)
        #expect(serve.signingKeyLifetime == 30 * 24 * 3600)
    }
}
