import Foundation
import ModelGateAPI
import ModelGateRPC
import ModelGateServer
import Testing

@Suite("Server end to end (real sockets, real SQLite)")
struct ServerEndToEndTests {
    @Test("Sign in with the credentials file, then create, get, list and delete a workspace")
    func workspaceLifecycleOverTheWire() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let auth = try await server.signIn()

            let created = try await server.createWorkspace("prod", region: "eastus", metadata: auth)
            #expect(created.name == "prod" && created.region == "eastus")
            #expect(try await server.getWorkspace("prod", metadata: auth) == created)
            let listed: ListWorkspacesResponse = try await server.client.unary(
                ModelGateMethods.Workspace.listWorkspaces, ListWorkspacesRequest(), metadata: auth
            )
            #expect(listed.workspaces.map(\.name) == ["prod"])

            var delete = DeleteWorkspaceRequest()
            delete.name = "prod"
            let _: DeleteWorkspaceResponse = try await server.client.unary(ModelGateMethods.Workspace.deleteWorkspace, delete, metadata: auth)
            let afterDelete = await statusCode { _ = try await server.getWorkspace("prod", metadata: auth) }
            #expect(afterDelete?.0 == .notFound)
            let deleteAgain = await statusCode {
                let _: DeleteWorkspaceResponse = try await server.client.unary(ModelGateMethods.Workspace.deleteWorkspace, delete, metadata: auth)
            }
            #expect(deleteAgain?.0 == .notFound)
            #expect(deleteAgain?.1 == "workspace 'prod' does not exist")
        }
    }

    @Test("Calls without a token, or with a malformed or unknown one, are UNAUTHENTICATED")
    func callsWithoutValidTokenAreUnauthenticated() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let cases: [([String: String], String)] = [
                ([:], "missing access token"),
                (["authorization": "Bearer not-a-token"], "malformed access token"),
                (["authorization": "Token abc"], "malformed authorization"),
                (["authorization": "Bearer " + String(repeating: "Q", count: 43)], "unknown access token"),
            ]
            for (metadata, prefix) in cases {
                let outcome = await statusCode { _ = try await server.createWorkspace("prod", metadata: metadata) }
                #expect(outcome?.0 == .unauthenticated)
                #expect(outcome?.1.hasPrefix(prefix) == true, "\(outcome?.1 ?? "")")
            }
            // The refused calls changed nothing.
            let auth = try await server.signIn()
            let listed: ListWorkspacesResponse = try await server.client.unary(
                ModelGateMethods.Workspace.listWorkspaces, ListWorkspacesRequest(), metadata: auth
            )
            #expect(listed.workspaces.isEmpty)
        }
    }

    @Test("A wrong secret is UNAUTHENTICATED; Health needs no token")
    func signInFailureAndHealth() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            var request = SignInRequest()
            request.clientID = server.credentials.clientID
            request.clientSecret = "wrong"
            let outcome = await statusCode {
                let _: SignInResponse = try await server.client.unary(ModelGateMethods.Identity.signIn, request)
            }
            #expect(outcome?.0 == .unauthenticated)

            let health: HealthResponse = try await server.client.unary(ModelGateMethods.Scoring.health, HealthRequest())
            #expect(health.status == .serving)
            #expect(health.serverVersion == ModelGateServerApp.version)
        }
    }

    @Test("A bad region is INVALID_ARGUMENT, a bad name too, and a duplicate is ALREADY_EXISTS")
    func createWorkspaceErrors() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let auth = try await server.signIn()
            let badRegion = await statusCode { _ = try await server.createWorkspace("prod", region: "moon", metadata: auth) }
            #expect(badRegion?.0 == .invalidArgument)
            #expect(badRegion?.1.contains("westeurope") == true)
            let badName = await statusCode { _ = try await server.createWorkspace("-x", metadata: auth) }
            #expect(badName?.0 == .invalidArgument)

            _ = try await server.createWorkspace("prod", metadata: auth)
            let duplicate = await statusCode { _ = try await server.createWorkspace("prod", metadata: auth) }
            #expect(duplicate?.0 == .alreadyExists)
            #expect(duplicate?.1 == "workspace 'prod' already exists")
        }
    }

    /// Every method of the schema is built now, so no call answers "not
    /// implemented yet" (``UnimplementedMethods`` stays the safety net for
    /// methods added to `proto/` before their handlers).
    @Test("An unknown method answers UNIMPLEMENTED without claiming it is a method not built yet")
    func unknownMethodsSaySo() async throws {
        let directory = try TemporaryDirectory()
        try await RunningServer.with(dataDirectory: directory.path) { server in
            let auth = try await server.signIn()
            let unknown = await statusCode {
                let _: HealthResponse = try await server.client.unary("/modelgate.v1.Nope/Nothing", HealthRequest(), metadata: auth)
            }
            #expect(unknown?.0 == .unimplemented)
            #expect(unknown?.1.contains("not implemented yet") == false)
        }
    }

    @Test("After a restart on the same data directory, workspaces and access tokens are still valid")
    func stateSurvivesRestart() async throws {
        let directory = try TemporaryDirectory()
        let (auth, firstPort, firstCredentials) = try await RunningServer.with(dataDirectory: directory.path) { server in
            let auth = try await server.signIn()
            _ = try await server.createWorkspace("durable", region: "japaneast", metadata: auth)
            return (auth, server.port, server.credentials)
        }

        try await RunningServer.with(dataDirectory: directory.path) { server in
            // The same admin (no second bootstrap), the new address recorded.
            #expect(server.credentials.clientID == firstCredentials.clientID)
            #expect(server.credentials.clientSecret == firstCredentials.clientSecret)
            #expect(server.credentials.server == "127.0.0.1:\(server.port)")
            _ = firstPort

            // The old token still works, and the workspace is there.
            let workspace = try await server.getWorkspace("durable", metadata: auth)
            #expect(workspace.region == "japaneast")
        }
    }

    @Test("The data directory is 0700 and the credentials file is 0600")
    func filesArePrivate() async throws {
        let directory = try TemporaryDirectory()
        let dataPath = directory.path + "/data"
        try await RunningServer.with(dataDirectory: dataPath) { server in
            let credentialsMode = try FileManager.default.attributesOfItem(atPath: server.app.credentialsPath)[.posixPermissions] as? Int
            let dataMode = try FileManager.default.attributesOfItem(atPath: dataPath)[.posixPermissions] as? Int
            #expect(credentialsMode == 0o600)
            #expect(dataMode == 0o700)
            #expect(server.app.credentialsPath == dataPath + "/credentials.json")
            #expect(FileManager.default.fileExists(atPath: dataPath + "/blobs"))
            #expect(FileManager.default.fileExists(atPath: dataPath + "/modelgate.sqlite"))
        }
    }
}
