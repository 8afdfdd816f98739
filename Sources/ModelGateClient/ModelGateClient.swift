public import ModelGateAPI
public import ModelGateRPC
public import ModelGateTLS
public import NIOCore
internal import NIOPosix
internal import ModelGateWire
internal import Synchronization

/// The async/await Swift client for a ModelGate server.
///
/// It signs in with a principal's client id and secret on first use, attaches
/// the access token to every control-plane call, and signs in again once if
/// the server says the token is no longer valid (expired, or the server's
/// sessions were reset).
///
/// ```swift
/// let client = try await ModelGateClient.connect(
///     to: ServerAddress(host: "127.0.0.1", port: 7070),
///     credentials: try Credentials.load(path: "data/credentials.json"))
/// let workspace = try await client.createWorkspace(name: "ml-prod", region: "westeurope")
/// await client.close()
/// ```
public final class ModelGateClient: Sendable {
    let rpc: RPCClient
    let credentials: Credentials?
    /// The current access token; internal so that streaming calls in extensions can send it too.
    let accessToken = Mutex<String?>(nil)

    init(rpc: RPCClient, credentials: Credentials?) {
        self.rpc = rpc
        self.credentials = credentials
    }

    /// Connects to a server.
    ///
    /// - Parameters:
    ///   - address: the server's address.
    ///   - credentials: the principal to sign in as; `nil` allows only calls
    ///     that need no sign-in (health, scoring with a key).
    ///   - limits: the client's side of the protocol limits.
    ///   - tls: connect over TLS and check the server's certificate as this
    ///     says (CA file, client certificate, server name); plaintext when `nil`.
    ///   - eventLoopGroup: where the connection runs; NIO's shared group by default.
    /// - Throws: ``RPCError`` `UNAVAILABLE` when the server cannot be reached or
    ///   the TLS handshake fails (the message says why, e.g. `certificate verify
    ///   failed`), `INVALID_ARGUMENT` when a TLS file cannot be used.
    public static func connect(
        to address: ServerAddress, credentials: Credentials?, limits: RPCLimits = RPCLimits(),
        tls: TLSClientConfiguration? = nil, eventLoopGroup: (any EventLoopGroup)? = nil
    ) async throws -> ModelGateClient {
        var configuration = RPCClientConfiguration(host: address.host, port: address.port)
        configuration.limits = limits
        configuration.tls = tls
        let rpc = try await RPCClient.connect(
            configuration, eventLoopGroup: eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton)
        return ModelGateClient(rpc: rpc, credentials: credentials)
    }

    /// Closes the connection after open calls end.
    public func close() async {
        await self.rpc.close()
    }

    // MARK: Identity

    /// Signs in with the client's credentials and keeps the access token for later calls.
    @discardableResult
    public func signIn() async throws -> SignInResponse {
        guard let credentials = self.credentials else {
            throw RPCError(code: .unauthenticated, message: "no credentials: pass --credentials FILE, set MODELGATE_CREDENTIALS, or point --data-dir at the server's data directory")
        }
        var request = SignInRequest()
        request.clientID = credentials.clientID
        request.clientSecret = credentials.clientSecret
        let response: SignInResponse = try await self.rpc.unary(ModelGateMethods.Identity.signIn, request)
        self.accessToken.withLock { $0 = response.accessToken }
        return response
    }

    // MARK: Workspaces

    /// Creates a workspace in a region.
    public func createWorkspace(
        name: String, region: String, description: String = "", tags: [String: String] = [:]
    ) async throws -> Workspace {
        var request = CreateWorkspaceRequest()
        request.name = name
        request.region = region
        request.description = description
        request.tags = tags
        return try await self.authorizedUnary(ModelGateMethods.Workspace.createWorkspace, request)
    }

    /// Fetches a workspace by name.
    public func workspace(named name: String) async throws -> Workspace {
        var request = GetWorkspaceRequest()
        request.name = name
        return try await self.authorizedUnary(ModelGateMethods.Workspace.getWorkspace, request)
    }

    /// Lists the workspaces the principal can see.
    public func listWorkspaces() async throws -> [Workspace] {
        let response: ListWorkspacesResponse = try await self.authorizedUnary(
            ModelGateMethods.Workspace.listWorkspaces, ListWorkspacesRequest())
        return response.workspaces
    }

    /// Deletes a workspace.
    public func deleteWorkspace(named name: String) async throws {
        var request = DeleteWorkspaceRequest()
        request.name = name
        let _: DeleteWorkspaceResponse = try await self.authorizedUnary(ModelGateMethods.Workspace.deleteWorkspace, request)
    }

    /// Lists the regions, their availability and round-trip latencies.
    public func listRegions() async throws -> [Region] {
        let response: ListRegionsResponse = try await self.authorizedUnary(
            ModelGateMethods.Workspace.listRegions, ListRegionsRequest())
        return response.regions
    }

    // MARK: Health

    /// Asks whether the server (or one service, by name) is serving. Needs no sign-in.
    public func health(service: String = "") async throws -> HealthResponse {
        var request = HealthRequest()
        request.serviceName = service
        return try await self.rpc.unary(ModelGateMethods.Scoring.health, request)
    }

    // MARK: Calls

    /// Makes a control-plane call with the access token, signing in first if
    /// there is none, and once more if the server rejects the token.
    func authorizedUnary<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: String, _ request: Request, as: Response.Type = Response.self
    ) async throws -> Response {
        var token = self.accessToken.withLock { $0 }
        let hadToken = token != nil
        if token == nil {
            token = try await self.signIn().accessToken
        }
        do {
            return try await self.rpc.unary(method, request, metadata: ["authorization": "Bearer \(token ?? "")"])
        } catch let error as RPCError where error.code == .unauthenticated && hadToken {
            let fresh = try await self.signIn().accessToken
            return try await self.rpc.unary(method, request, metadata: ["authorization": "Bearer \(fresh)"])
        }
    }
}
