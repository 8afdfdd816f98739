import Foundation
import Logging
import ModelGateAPI
import ModelGateClient
import ModelGateServer
import ModelGateTLS
import NIOPosix
import ServiceLifecycle
import Testing

/// The Swift client against a real server on a real socket and data directory.
@Suite("ModelGateClient, end to end")
struct ClientEndToEndTests {
    /// Runs a server in a temporary data directory for the duration of `body`.
    ///
    /// With `tls`, the server serves development certificates from `<directory>/certs`
    /// (see ``clientTLS(for:)``).
    static func withServer(tls: Bool = false, _ body: (ModelGateServerApp, ServerAddress) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "modelgate-client-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration(dataDirectory: directory, port: 0, secretHashIterations: 1_000)
        if tls {
            try DevelopmentCertificates.write(to: directory + "/certs")
            configuration.tls = TLSServerConfiguration(
                certificateChainFile: directory + "/certs/cert.pem", privateKeyFile: directory + "/certs/key.pem")
        }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let app = try await ModelGateServerApp(
            configuration: configuration, logger: logger, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let address = ServerAddress(host: "127.0.0.1", port: try await app.boundPort())
            do {
                try await body(app, address)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// How a client trusts `app` when it serves TLS: the CA next to its certificate.
    static func clientTLS(for app: ModelGateServerApp) -> TLSClientConfiguration? {
        guard let tls = app.configuration.tls else { return nil }
        let folder = URL(fileURLWithPath: tls.certificateChainFile).deletingLastPathComponent().path
        return TLSClientConfiguration(caFile: folder + "/" + DevelopmentCertificates.caCertificateFile)
    }

    @Test("Signs in from the credentials file and manages workspaces")
    func workspaceJourney() async throws {
        try await Self.withServer { app, address in
            // Given the credentials the server wrote on first start
            let credentials = try Credentials.load(path: app.credentialsPath)
            let client = try await ModelGateClient.connect(to: address, credentials: credentials)

            // When a workspace is created, listed, fetched and deleted
            let created = try await client.createWorkspace(
                name: "fraud-models", region: "northeurope", description: "card fraud", tags: ["team": "risk"])
            let listed = try await client.listWorkspaces()
            let fetched = try await client.workspace(named: "fraud-models")
            try await client.deleteWorkspace(named: "fraud-models")

            // Then each answer carries what was stored
            #expect(created.region == "northeurope")
            #expect(created.tags == ["team": "risk"])
            #expect(created.createdAtUnixMs > 0)
            #expect(listed.map(\.name) == ["fraud-models"])
            #expect(fetched == created)
            do {
                _ = try await client.workspace(named: "fraud-models")
                Issue.record("a deleted workspace was still there")
            } catch let error as RPCError {
                #expect(error.code == .notFound)
            }
            await client.close()
        }
    }

    @Test("Health needs no credentials; control-plane calls do")
    func healthWithoutCredentials() async throws {
        try await Self.withServer { _, address in
            let client = try await ModelGateClient.connect(to: address, credentials: nil)
            let health = try await client.health()
            #expect(health.status == .serving)
            #expect(health.serverVersion == ModelGateServerApp.version)

            do {
                _ = try await client.listWorkspaces()
                Issue.record("listing workspaces without credentials succeeded")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
                #expect(error.message.contains("credentials"))
            }
            await client.close()
        }
    }

    @Test("A wrong secret is UNAUTHENTICATED and names no secret")
    func wrongSecret() async throws {
        try await Self.withServer { app, address in
            var credentials = try Credentials.load(path: app.credentialsPath)
            credentials.clientSecret = "not-the-secret"
            let client = try await ModelGateClient.connect(to: address, credentials: credentials)
            do {
                try await client.signIn()
                Issue.record("sign-in with a wrong secret succeeded")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
                #expect(!error.message.contains("not-the-secret"))
            }
            await client.close()
        }
    }

    @Test("Many concurrent calls share one connection")
    func concurrentCalls() async throws {
        try await Self.withServer { app, address in
            let client = try await ModelGateClient.connect(
                to: address, credentials: try Credentials.load(path: app.credentialsPath))
            try await client.signIn()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask { _ = try await client.createWorkspace(name: "ws-\(index)", region: "eastus") }
                }
                try await group.waitForAll()
            }
            #expect(try await client.listWorkspaces().count == 50)
            await client.close()
        }
    }
}
