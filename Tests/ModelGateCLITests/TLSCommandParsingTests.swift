import ArgumentParser
import ModelGateTLS
import Testing

@testable import ModelGateCLI

/// The TLS flags of `serve`, the client commands and `tls self-signed`, parsed without running anything.
@Suite("modelgate TLS command lines")
struct TLSCommandParsingTests {
    @Test("serve takes a certificate, its key and a client CA")
    func serveTakesTLSFiles() throws {
        let command = try ModelGateCommand.parseAsRoot(
            ["serve", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-client-ca", "ca.pem"])
        let serve = try #require(command as? Serve)
        let tls = try #require(serve.tlsConfiguration)
        #expect(tls.certificateChainFile == "c.pem")
        #expect(tls.privateKeyFile == "k.pem")
        #expect(tls.clientCAFile == "ca.pem")
        #expect(try #require(ModelGateCommand.parseAsRoot(["serve"]) as? Serve).tlsConfiguration == nil)
    }

    @Test("serve refuses a certificate without its key, a key alone, and a client CA without a certificate", arguments: [
        ["serve", "--tls-cert", "c.pem"],
        ["serve", "--tls-key", "k.pem"],
        ["serve", "--tls-client-ca", "ca.pem"],
    ])
    func serveRefusesHalfTLS(arguments: [String]) {
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(arguments) }
    }

    @Test("Client commands: --tls-ca implies TLS; a client certificate needs its key; no flag is plaintext")
    func clientOptionsResolveTLS() throws {
        let withCA = try #require(try ModelGateCommand.parseAsRoot(["health", "--tls-ca", "ca.pem"]) as? HealthCommand)
        #expect(try withCA.options.resolveTLS()?.caFile == "ca.pem")
        let system = try #require(try ModelGateCommand.parseAsRoot(["health", "--tls", "--tls-server-name", "mg.example"]) as? HealthCommand)
        let systemTLS = try #require(try system.options.resolveTLS())
        #expect(systemTLS.caFile == nil)
        #expect(systemTLS.serverName == "mg.example")
        let halfClient = try #require(try ModelGateCommand.parseAsRoot(["health", "--tls-cert", "client.pem"]) as? HealthCommand)
        #expect(throws: ValidationError.self) { try halfClient.options.resolveTLS() }
    }

    @Test("tls self-signed takes an output folder, hosts, days and --force")
    func selfSignedParses() throws {
        let command = try ModelGateCommand.parseAsRoot(
            ["tls", "self-signed", "--out", "certs", "--host", "mg.example", "--host", "10.0.0.5", "--days", "30", "--force"])
        let selfSigned = try #require(command as? TlsCommand.SelfSigned)
        #expect(selfSigned.out == "certs")
        #expect(selfSigned.host == ["mg.example", "10.0.0.5"])
        #expect(selfSigned.days == 30)
        #expect(selfSigned.force)
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(["tls", "self-signed", "--out", "c", "--days", "0"]) }
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(["tls", "self-signed"]) }
    }
}
