import Logging
import ModelGateAPI
import ModelGateRPC
import NIOCore
import NIOPosix

/// A server on 127.0.0.1 with a free port, running the test router.
struct TestServer: Sendable {
    let server: RPCServer
    let port: Int
    let probe: HandlerProbe

    var eventLoopGroup: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }

    func makeClient(limits: RPCLimits = RPCLimits()) async throws -> RPCClient {
        var configuration = RPCClientConfiguration(host: "127.0.0.1", port: self.port)
        configuration.limits = limits
        configuration.connectTimeout = .seconds(5)
        return try await RPCClient.connect(configuration, eventLoopGroup: self.eventLoopGroup)
    }

    func makeRawClient() async throws -> RawFrameClient {
        try await RawFrameClient.connect(port: self.port)
    }

    /// Checks that a fresh, well-behaved client on its own connection is served.
    func expectServesOthers() async throws {
        let client = try await self.makeClient()
        let reply: TestMessage = try await client.unary(TestMethod.unary, TestMessage(text: "still here", number: 7))
        await client.close()
        guard reply == TestMessage(text: "still here", number: 7) else {
            throw RPCError(code: .internal, message: "unexpected reply \(reply)")
        }
    }

    /// Polls `condition` until it holds or `timeout` passes.
    func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// A logger that drops everything (tests never bootstrap the logging system).
func makeTestLogger() -> Logger {
    Logger(label: "modelgate.rpc.tests", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Runs `body` against a fresh server; the server is stopped afterwards.
func withTestServer(
    limits: RPCLimits = RPCLimits(),
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    _ body: (TestServer) async throws -> Void
) async throws {
    var configuration = RPCServerConfiguration(host: "127.0.0.1", port: 0)
    configuration.limits = limits
    configure(&configuration)
    let probe = HandlerProbe()
    let server = RPCServer(
        configuration: configuration, router: makeTestRouter(probe: probe),
        eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: makeTestLogger()
    )
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let port = try await server.boundPort()
        do {
            try await body(TestServer(server: server, port: port, probe: probe))
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}
