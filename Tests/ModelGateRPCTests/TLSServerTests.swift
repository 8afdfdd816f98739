import ModelGateAPI
import ModelGateRPC
import ModelGateTLS
import ModelGateTestSupport
import NIOPosix
import Testing

/// The RPC server's pipeline with TLS in front: calls, refusals and plaintext peers.
@Suite("RPC over TLS", .timeLimit(.minutes(1)))
struct TLSServerTests {
    /// A TLS test server on development certificates, and a client configuration that trusts it.
    static func withTLSServer(
        configure: @escaping (inout RPCServerConfiguration) -> Void = { _ in },
        _ body: (TestServer, RPCClientConfiguration) async throws -> Void
    ) async throws {
        let folder = try ScratchFolder(prefix: "modelgate-rpc-tls")
        try DevelopmentCertificates.write(to: folder.path)
        let tls = try ReloadableTLSContext(configuration: TLSServerConfiguration(
            certificateChainFile: folder.path + "/cert.pem", privateKeyFile: folder.path + "/key.pem"))
        try await withTestServer(configure: { configuration in
            configuration.tls = tls
            configure(&configuration)
        }) { server in
            var client = RPCClientConfiguration(host: "127.0.0.1", port: server.port)
            client.connectTimeout = .seconds(5)
            client.tls = TLSClientConfiguration(caFile: folder.path + "/ca.pem")
            try await body(server, client)
        }
    }

    @Test func callsWorkOverTLS() async throws {
        try await Self.withTLSServer { _, configuration in
            let client = try await RPCClient.connect(configuration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let reply: TestMessage = try await client.unary(TestMethod.unary, TestMessage(text: "secret", number: 3))
            #expect(reply == TestMessage(text: "secret", number: 3))
            await client.close()
        }
    }

    @Test func connectionsOverTheLimitAreRefusedWithAReasonOverTLS() async throws {
        try await Self.withTLSServer(configure: { $0.maxConnections = 1 }) { _, configuration in
            let first = try await RPCClient.connect(configuration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let error = await #expect(throws: RPCError.self) {
                _ = try await RPCClient.connect(configuration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            }
            #expect(error?.code == .resourceExhausted, "\(String(describing: error))")
            #expect(error?.message.contains("limit of 1 connections") == true)
            let reply: TestMessage = try await first.unary(TestMethod.unary, TestMessage(text: "first"))
            #expect(reply.text == "first")
            await first.close()
        }
    }

    @Test func plaintextClientIsToldToUseTLS() async throws {
        try await Self.withTLSServer { server, configuration in
            var plaintext = configuration
            plaintext.tls = nil
            let error = await #expect(throws: RPCError.self) {
                _ = try await RPCClient.connect(plaintext, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            }
            #expect(error?.code == .unavailable)
            #expect(error?.message.contains("TLS") == true, "\(String(describing: error))")
            // Others are still served.
            let client = try await RPCClient.connect(configuration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            let reply: TestMessage = try await client.unary(TestMethod.unary, TestMessage(text: "still here"))
            #expect(reply.text == "still here")
            await client.close()
            #expect(await server.eventually { server.server.connectionCount == 0 })
        }
    }
}
