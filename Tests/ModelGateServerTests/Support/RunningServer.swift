import Foundation
import Logging
import ModelGateAPI
import ModelGateRPC
import ModelGateServer
import NIOPosix
import ServiceLifecycle
import Testing

/// A real ModelGate server on 127.0.0.1 (port 0) over a data directory,
/// run in a `ServiceGroup` as `modelgate serve` runs it, with a connected client.
struct RunningServer: Sendable {
    let app: ModelGateServerApp
    let client: RPCClient
    let port: Int
    let credentials: CredentialsFile

    /// Starts the app on `dataDirectory`, runs `body`, then shuts down gracefully
    /// and waits until the app has stopped (database closed), even if `body` throws.
    static func with<T: Sendable>(
        dataDirectory: String, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (RunningServer) async throws -> T
    ) async throws -> T {
        var configuration = ServerConfiguration(dataDirectory: dataDirectory, host: "127.0.0.1", port: 0, secretHashIterations: 1_000)
        configure(&configuration)
        let app = try await ModelGateServerApp(configuration: configuration, logger: quietLogger, eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let group = ServiceGroup(services: [app], logger: quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let outcome: Result<T, any Error>
            do {
                let port = try await app.boundPort()
                let credentials = try await Self.credentials(at: app.credentialsPath, port: port)
                let client = try await RPCClient.connect(
                    RPCClientConfiguration(host: "127.0.0.1", port: port), eventLoopGroup: MultiThreadedEventLoopGroup.singleton
                )
                let server = RunningServer(app: app, client: client, port: port, credentials: credentials)
                do {
                    outcome = .success(try await body(server))
                } catch {
                    outcome = .failure(error)
                }
                await client.close()
            } catch {
                outcome = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try outcome.get()
        }
    }

    /// The credentials file, once the app has recorded the bound address in it.
    private static func credentials(at path: String, port: Int) async throws -> CredentialsFile {
        for _ in 0..<200 {
            if let credentials = try? CredentialsFile.read(from: path), credentials.server == "127.0.0.1:\(port)" {
                return credentials
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw RPCError(code: .deadlineExceeded, message: "the server never recorded its address in \(path)")
    }

    /// Signs in with the bootstrap credentials and returns `authorization` metadata.
    func signIn() async throws -> [String: String] {
        var request = SignInRequest()
        request.clientID = self.credentials.clientID
        request.clientSecret = self.credentials.clientSecret
        let response: SignInResponse = try await self.client.unary(ModelGateMethods.Identity.signIn, request)
        return ["authorization": "Bearer \(response.accessToken)"]
    }

    func createWorkspace(_ name: String, region: String = "westeurope", metadata: [String: String]) async throws -> Workspace {
        var request = CreateWorkspaceRequest()
        request.name = name
        request.region = region
        return try await self.client.unary(ModelGateMethods.Workspace.createWorkspace, request, metadata: metadata)
    }

    func getWorkspace(_ name: String, metadata: [String: String]) async throws -> Workspace {
        var request = GetWorkspaceRequest()
        request.name = name
        return try await self.client.unary(ModelGateMethods.Workspace.getWorkspace, request, metadata: metadata)
    }
}

/// The status code of an error a call threw.
func statusCode(of body: () async throws -> Void) async -> (StatusCode, String)? {
    do {
        try await body()
        return nil
    } catch let error as RPCError {
        return (error.code, error.message)
    } catch {
        return (.unknown, "\(error)")
    }
}
