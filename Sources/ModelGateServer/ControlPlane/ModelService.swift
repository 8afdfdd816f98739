internal import Foundation
internal import Logging
internal import ModelGateAPI
public import ModelGateRPC

/// `modelgate.v1.ModelService`: registered models and environments.
///
/// Reads need `Reader` on the workspace, registrations and deletions
/// `Contributor`. Model files stream in through `RegisterModel` (see
/// ``ModelUpload``) and are stored once per content in the ``BlobStore``.
public struct ModelService: Sendable {
    /// Says whether a deployed service uses `name:version` in `workspace`; such a
    /// version cannot be deleted. The deployment code supplies it.
    public typealias ModelInUseCheck = @Sendable (_ workspace: String, _ name: String, _ version: Int) async throws -> Bool

    private let models: ModelStore
    private let environments: EnvironmentStore
    private let workspaces: WorkspaceStore
    private let authenticator: Authenticator
    private let limits: ModelLimits
    private let clock: WallClock
    private let isModelInUse: ModelInUseCheck

    /// Longest framework name or version, in characters.
    static let maxFrameworkLength = 256
    /// Most environment variables, and the most bytes over all of an environment's strings.
    static let maxEnvironmentVariables = 256
    static let maxEnvironmentBytes = 1 << 20

    public init(
        models: ModelStore, environments: EnvironmentStore, workspaces: WorkspaceStore, authenticator: Authenticator,
        limits: ModelLimits = ModelLimits(), clock: WallClock,
        isModelInUse: @escaping ModelInUseCheck = { _, _, _ in false }
    ) {
        self.models = models
        self.environments = environments
        self.workspaces = workspaces
        self.authenticator = authenticator
        self.limits = limits
        self.clock = clock
        self.isModelInUse = isModelInUse
    }

    /// Adds this service's methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.authenticatedClientStreaming(ModelGateMethods.Model.registerModel, self.authenticator) { (requests: RequestStream<RegisterModelRequest>, caller, context) in
            try await self.registerModel(requests, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Model.getModel, self.authenticator) { (request: GetModelRequest, caller, _) in
            try await self.getModel(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Model.listModels, self.authenticator) { (request: ListModelsRequest, caller, _) in
            try await self.listModels(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Model.deleteModel, self.authenticator) { (request: DeleteModelRequest, caller, context) in
            try await self.deleteModel(request, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Model.registerEnvironment, self.authenticator) { (request: RegisterEnvironmentRequest, caller, context) in
            try await self.registerEnvironment(request, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Model.getEnvironment, self.authenticator) { (request: GetEnvironmentRequest, caller, _) in
            try await self.getEnvironment(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Model.listEnvironments, self.authenticator) { (request: ListEnvironmentsRequest, caller, _) in
            try await self.listEnvironments(request, caller: caller)
        }
    }

    // MARK: Models

    /// Registers a new version from a stream: a registration, then file chunks.
    /// The version is assigned once every file has arrived and checked out.
    func registerModel(
        _ requests: RequestStream<RegisterModelRequest>, caller: AuthenticatedCaller, context: ServerCallContext
    ) async throws -> Model {
        var messages = requests.makeAsyncIterator()
        guard let first = try await messages.next() else {
            throw RPCError(code: .invalidArgument, message: "the call ended before its registration message")
        }
        guard let registration = first.registration, first.chunk == nil else {
            throw RPCError(code: .invalidArgument, message: "the first RegisterModel message must carry the registration, and no chunk")
        }
        let workspace = try await self.existingWorkspace(registration.workspace)
        try AccessPolicy.require(.contributor, on: workspace.name, caller, to: "register models")
        try ResourceName.validateAsset(registration.name, kind: "model")
        try ResourceMetadata.validate(description: registration.description, tags: registration.tags, properties: registration.properties)
        guard registration.modelFramework.count <= Self.maxFrameworkLength,
              registration.modelFrameworkVersion.count <= Self.maxFrameworkLength
        else {
            throw RPCError(code: .invalidArgument, message: "model_framework and its version must be at most \(Self.maxFrameworkLength) characters")
        }

        let upload = try ModelUpload(declaredFiles: registration.files, blobs: self.models.blobs, limits: self.limits)
        do {
            while let message = try await messages.next() {
                guard message.registration == nil, let chunk = message.chunk else {
                    throw RPCError(code: .invalidArgument, message: "after the first RegisterModel message, each one must carry a chunk and no registration")
                }
                try await upload.receive(chunk)
            }
            let (files, staged) = try upload.finish()
            let record = ModelRecord(
                workspace: workspace.name, name: registration.name, version: 0, description: registration.description,
                tags: registration.tags, properties: registration.properties, modelFramework: registration.modelFramework,
                modelFrameworkVersion: registration.modelFrameworkVersion, files: files,
                createdBy: caller.principal.clientID, createdAt: self.now()
            )
            let stored = try await self.models.register(record, staged: staged)
            context.logger.info("Registered model", metadata: [
                "workspace.name": "\(stored.workspace)", "model.id": "\(stored.id)",
                "model.files": "\(stored.files.count)", "model.bytes": "\(stored.sizeBytes)",
            ])
            return Model(stored)
        } catch {
            await upload.abandon()
            throw error
        }
    }

    /// One version; version 0 is the latest.
    func getModel(_ request: GetModelRequest, caller: AuthenticatedCaller) async throws -> Model {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.reader, on: workspace.name, caller, to: "read models")
        guard !request.name.isEmpty else { throw RPCError(code: .invalidArgument, message: "name is required") }
        let version = try Self.optionalVersion(request.version)
        guard let record = try await self.models.model(workspace: workspace.name, name: request.name, version: version) else {
            throw StoreError.notFound(kind: "model", name: version.map { "\(request.name):\($0)" } ?? request.name)
        }
        return Model(record)
    }

    /// Versions filtered by name and tags.
    func listModels(_ request: ListModelsRequest, caller: AuthenticatedCaller) async throws -> ListModelsResponse {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.reader, on: workspace.name, caller, to: "list models")
        var response = ListModelsResponse()
        response.models = try await self.models.list(
            workspace: workspace.name, name: request.name.isEmpty ? nil : request.name, tags: request.tags,
            latestOnly: request.latestOnly
        ).map(Model.init)
        return response
    }

    /// Deletes one version, unless a deployed service uses it.
    func deleteModel(_ request: DeleteModelRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> DeleteModelResponse {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.contributor, on: workspace.name, caller, to: "delete models")
        guard !request.name.isEmpty else { throw RPCError(code: .invalidArgument, message: "name is required") }
        guard request.version >= 1 else {
            throw RPCError(code: .invalidArgument, message: "version is required: name the version to delete (1 or more)")
        }
        let id = "\(request.name):\(request.version)"
        guard try await self.models.model(workspace: workspace.name, name: request.name, version: Int(request.version)) != nil else {
            throw StoreError.notFound(kind: "model", name: id)
        }
        if try await self.isModelInUse(workspace.name, request.name, Int(request.version)) {
            throw RPCError(code: .failedPrecondition, message: "model '\(id)' is used by a deployed service; delete or update the service first")
        }
        try await self.models.delete(workspace: workspace.name, name: request.name, version: Int(request.version))
        context.logger.info("Deleted model", metadata: ["workspace.name": "\(workspace.name)", "model.id": "\(id)"])
        return DeleteModelResponse()
    }

    // MARK: Environments

    /// Registers a new version, or returns the latest when its content is the same.
    func registerEnvironment(_ request: RegisterEnvironmentRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> Environment {
        guard let environment = request.environment else {
            throw RPCError(code: .invalidArgument, message: "environment is required")
        }
        let workspace = try await self.existingWorkspace(environment.workspace)
        try AccessPolicy.require(.contributor, on: workspace.name, caller, to: "register environments")
        try ResourceName.validateAsset(environment.name, kind: "environment")
        try ResourceMetadata.validate(description: environment.description, tags: environment.tags)
        try Self.validateSize(environment)
        let content = try EnvironmentContent(environment)
        let record = EnvironmentRecord(
            workspace: workspace.name, name: environment.name, pythonVersion: environment.pythonVersion,
            pipRequirements: environment.pipRequirements, condaYAML: environment.condaYaml, baseImage: environment.baseImage,
            buildSteps: environment.buildSteps, environmentVariables: environment.environmentVariables,
            contentHash: content.contentHash, description: environment.description, tags: environment.tags,
            createdBy: caller.principal.clientID, createdAt: self.now()
        )
        let stored = try await self.environments.register(record)
        context.logger.info("Registered environment", metadata: [
            "workspace.name": "\(stored.workspace)", "environment.name": "\(stored.name)",
            "environment.version": "\(stored.version)", "environment.hash": "\(stored.contentHash)",
        ])
        return Environment(stored)
    }

    /// One version; version 0 is the latest.
    func getEnvironment(_ request: GetEnvironmentRequest, caller: AuthenticatedCaller) async throws -> Environment {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.reader, on: workspace.name, caller, to: "read environments")
        guard !request.name.isEmpty else { throw RPCError(code: .invalidArgument, message: "name is required") }
        let version = try Self.optionalVersion(request.version)
        guard let record = try await self.environments.environment(workspace: workspace.name, name: request.name, version: version) else {
            throw StoreError.notFound(kind: "environment", name: version.map { "\(request.name):\($0)" } ?? request.name)
        }
        return Environment(record)
    }

    func listEnvironments(_ request: ListEnvironmentsRequest, caller: AuthenticatedCaller) async throws -> ListEnvironmentsResponse {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.reader, on: workspace.name, caller, to: "list environments")
        var response = ListEnvironmentsResponse()
        response.environments = try await self.environments.list(
            workspace: workspace.name, name: request.name.isEmpty ? nil : request.name, latestOnly: request.latestOnly
        ).map(Environment.init)
        return response
    }

    // MARK: Validation

    private func existingWorkspace(_ name: String) async throws -> WorkspaceRecord {
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "workspace is required") }
        guard let record = try await self.workspaces.workspace(named: name) else {
            throw StoreError.notFound(kind: "workspace", name: name)
        }
        return record
    }

    private func now() -> Date {
        Date(millisecondsSince1970: self.clock.now().millisecondsSince1970)
    }

    /// 0 means the latest; negative versions do not exist.
    private static func optionalVersion(_ version: Int32) throws(RPCError) -> Int? {
        guard version >= 0 else { throw RPCError(code: .invalidArgument, message: "version must be 1 or more, or 0 for the latest") }
        return version == 0 ? nil : Int(version)
    }

    /// Environment variables are `NAME=value` pairs a POSIX shell could set; the whole
    /// definition stays under ``maxEnvironmentBytes``.
    private static func validateSize(_ environment: Environment) throws(RPCError) {
        guard environment.environmentVariables.count <= Self.maxEnvironmentVariables else {
            throw RPCError(
                code: .invalidArgument,
                message: "too many environment variables (max: \(Self.maxEnvironmentVariables), actual: \(environment.environmentVariables.count))"
            )
        }
        for key in environment.environmentVariables.keys {
            let bytes = Array(key.utf8)
            let valid = !bytes.isEmpty && !(bytes[0] >= 0x30 && bytes[0] <= 0x39) && bytes.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F
            }
            guard valid else {
                throw RPCError(code: .invalidArgument, message: "environment variable name '\(ModelFilePath.printable(key))' is not letters, digits and '_' starting with a letter or '_'")
            }
        }
        let strings = environment.pipRequirements + environment.buildSteps + [environment.condaYaml, environment.baseImage, environment.pythonVersion]
            + environment.environmentVariables.flatMap { [$0.key, $0.value] }
        let total = strings.reduce(0) { $0 + $1.utf8.count }
        guard total <= Self.maxEnvironmentBytes else {
            throw RPCError(code: .invalidArgument, message: "environment definition is too large (max: \(Self.maxEnvironmentBytes) bytes, actual: \(total))")
        }
    }
}
