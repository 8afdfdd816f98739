public import ModelGateAPI
internal import ModelGateRPC
internal import Synchronization

/// Models, environments and compute targets.
///
/// ```swift
/// let model = try await client.registerModel(workspace: "ml-prod", name: "iris", path: "outputs/model.pkl")
/// let latest = try await client.model(workspace: "ml-prod", name: "iris")
/// let aks = try await client.attachCompute(workspace: "ml-prod", name: "aks-prod", cpuCores: 12, memoryGB: 48)
/// ```
extension ModelGateClient {
    /// The size of the pieces model files are sent in: well under the
    /// protocol's 4 MiB message limit, large enough to keep the link busy.
    public static let defaultChunkSize = 1 << 20

    // MARK: Models

    /// Registers a new version of a model from a file or a folder on this machine.
    ///
    /// Every file is hashed first and declared with its size and SHA-256, then
    /// streamed in chunks, so the server checks that each byte arrived
    /// (`DATA_LOSS` otherwise) and nothing is held in memory whole. As with
    /// Azure's `Model.register`, a file keeps its name in the model and a
    /// folder keeps its own name as the first path component.
    ///
    /// - Parameters:
    ///   - path: a file or a folder.
    ///   - chunkSize: bytes per chunk; at most the server's message size limit less a little.
    /// - Returns: The new version.
    public func registerModel(
        workspace: String, name: String, path: String, description: String = "", tags: [String: String] = [:],
        properties: [String: String] = [:], modelFramework: String = "", modelFrameworkVersion: String = "",
        chunkSize: Int = ModelGateClient.defaultChunkSize
    ) async throws -> Model {
        guard chunkSize > 0 else { throw RPCError(code: .invalidArgument, message: "chunkSize must be positive") }
        let files = try LocalModelFile.collect(at: path)
        var registration = ModelRegistration()
        registration.workspace = workspace
        registration.name = name
        registration.description = description
        registration.tags = tags
        registration.properties = properties
        registration.modelFramework = modelFramework
        registration.modelFrameworkVersion = modelFrameworkVersion
        for file in files {
            var declared = ModelFile()
            declared.path = file.modelPath
            declared.sizeBytes = file.sizeBytes
            declared.sha256 = try await file.read(chunkSize: chunkSize) { _, _, _ in }
            registration.files.append(declared)
        }
        let prepared = registration
        return try await self.withAccessToken { token in
            try await self.upload(prepared, files: files, chunkSize: chunkSize, token: token)
        }
    }

    /// One model version; the latest when `version` is `nil`.
    public func model(workspace: String, name: String, version: Int? = nil) async throws -> Model {
        var request = GetModelRequest()
        request.workspace = workspace
        request.name = name
        request.version = Int32(clamping: version ?? 0)
        return try await self.authorizedUnary(ModelGateMethods.Model.getModel, request)
    }

    /// Model versions, ordered by name and version; filters combine.
    ///
    /// - Parameters:
    ///   - name: only this model's versions.
    ///   - tags: only versions carrying all of these tags.
    ///   - latestOnly: only the newest version of each model.
    public func listModels(
        workspace: String, name: String? = nil, tags: [String: String] = [:], latestOnly: Bool = false
    ) async throws -> [Model] {
        var request = ListModelsRequest()
        request.workspace = workspace
        request.name = name ?? ""
        request.tags = tags
        request.latestOnly = latestOnly
        let response: ListModelsResponse = try await self.authorizedUnary(ModelGateMethods.Model.listModels, request)
        return response.models
    }

    /// Deletes one model version; `FAILED_PRECONDITION` while a service uses it.
    public func deleteModel(workspace: String, name: String, version: Int) async throws {
        var request = DeleteModelRequest()
        request.workspace = workspace
        request.name = name
        request.version = Int32(clamping: version)
        let _: DeleteModelResponse = try await self.authorizedUnary(ModelGateMethods.Model.deleteModel, request)
    }

    // MARK: Environments

    /// Registers an environment (its `workspace` and `name` must be set); the
    /// latest version comes back unchanged when the content is the same.
    public func registerEnvironment(_ environment: Environment) async throws -> Environment {
        var request = RegisterEnvironmentRequest()
        request.environment = environment
        return try await self.authorizedUnary(ModelGateMethods.Model.registerEnvironment, request)
    }

    /// One environment version; the latest when `version` is `nil`.
    public func environment(workspace: String, name: String, version: Int? = nil) async throws -> Environment {
        var request = GetEnvironmentRequest()
        request.workspace = workspace
        request.name = name
        request.version = Int32(clamping: version ?? 0)
        return try await self.authorizedUnary(ModelGateMethods.Model.getEnvironment, request)
    }

    /// Environment versions, ordered by name and version.
    public func listEnvironments(workspace: String, name: String? = nil, latestOnly: Bool = false) async throws -> [Environment] {
        var request = ListEnvironmentsRequest()
        request.workspace = workspace
        request.name = name ?? ""
        request.latestOnly = latestOnly
        let response: ListEnvironmentsResponse = try await self.authorizedUnary(ModelGateMethods.Model.listEnvironments, request)
        return response.environments
    }

    // MARK: Compute targets

    /// Attaches an AKS cluster to a workspace.
    ///
    /// - Parameters:
    ///   - region: where it runs; `nil` for the workspace's region.
    ///   - purpose: `.fastProd` (Azure's default) or `.devTest`.
    public func attachCompute(
        workspace: String, name: String, region: String? = nil, purpose: ClusterPurpose = .fastProd,
        cpuCores: Double, memoryGB: Double, gpus: Int = 0, description: String = "", tags: [String: String] = [:]
    ) async throws -> ComputeTarget {
        var request = AttachComputeRequest()
        request.workspace = workspace
        request.name = name
        request.type = .aks
        request.region = region ?? ""
        request.purpose = purpose
        request.cpuCores = cpuCores
        request.memoryGb = memoryGB
        request.gpus = UInt32(clamping: gpus)
        request.description = description
        request.tags = tags
        return try await self.authorizedUnary(ModelGateMethods.Workspace.attachCompute, request)
    }

    /// One compute target, with what its replicas use now.
    public func compute(workspace: String, name: String) async throws -> ComputeTarget {
        var request = GetComputeRequest()
        request.workspace = workspace
        request.name = name
        return try await self.authorizedUnary(ModelGateMethods.Workspace.getCompute, request)
    }

    /// A workspace's compute targets, by name.
    public func listComputes(workspace: String, types: [ComputeType] = []) async throws -> [ComputeTarget] {
        var request = ListComputesRequest()
        request.workspace = workspace
        request.types = types
        let response: ListComputesResponse = try await self.authorizedUnary(ModelGateMethods.Workspace.listComputes, request)
        return response.computes
    }

    /// Detaches a compute target; `FAILED_PRECONDITION` while services run on it.
    public func detachCompute(workspace: String, name: String) async throws {
        var request = DetachComputeRequest()
        request.workspace = workspace
        request.name = name
        let _: DetachComputeResponse = try await self.authorizedUnary(ModelGateMethods.Workspace.detachCompute, request)
    }

    // MARK: Streaming

    /// Runs `call` with the access token, signing in first if there is none and
    /// once more if the server rejects the token, as ``authorizedUnary(_:_:as:)`` does.
    func withAccessToken<Result>(_ call: (String) async throws -> Result) async throws -> Result {
        let current = self.accessToken.withLock { $0 }
        guard let current else {
            return try await call(try await self.signIn().accessToken)
        }
        do {
            return try await call(current)
        } catch let error as RPCError where error.code == .unauthenticated {
            return try await call(try await self.signIn().accessToken)
        }
    }

    /// Sends the registration, then every file's chunks, and reads the one response.
    private func upload(_ registration: ModelRegistration, files: [LocalModelFile], chunkSize: Int, token: String) async throws -> Model {
        try await self.rpc.bidirectional(
            ModelGateMethods.Model.registerModel, metadata: ["authorization": "Bearer \(token)"],
            requestType: RegisterModelRequest.self, responseType: Model.self
        ) { sender, responses in
            /// Sends one message, telling a failed send apart from a local read error.
            @Sendable func send(_ message: RegisterModelRequest) async throws {
                do {
                    try await sender.send(message)
                } catch {
                    throw SendFailure(underlying: error)
                }
            }
            do {
                var first = RegisterModelRequest()
                first.registration = registration
                try await send(first)
                for file in files {
                    try await file.read(chunkSize: chunkSize) { data, offset, isLast in
                        var chunk = ModelFileChunk()
                        chunk.path = file.modelPath
                        chunk.offset = offset
                        chunk.data = data
                        chunk.last = isLast
                        var message = RegisterModelRequest()
                        message.chunk = chunk
                        try await send(message)
                    }
                }
                try await sender.finish()
            } catch let failure as SendFailure {
                // The server may have ended the call early with its reason (a bad
                // path, a size limit); that explains more than the failed send.
                for try await _ in responses {}
                throw failure.underlying
            }
            var model: Model?
            for try await response in responses {
                guard model == nil else {
                    throw RPCError(code: .internal, message: "the server sent more than one response to RegisterModel")
                }
                model = response
            }
            guard let model else {
                throw RPCError(code: .internal, message: "the server ended RegisterModel without a response")
            }
            return model
        }
    }

    /// A send that failed, as opposed to a local file that could not be read.
    private struct SendFailure: Error {
        var underlying: any Error
    }
}
