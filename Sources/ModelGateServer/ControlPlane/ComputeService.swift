internal import Foundation
internal import Logging
internal import ModelGateAPI
public import ModelGateRPC

/// The compute-target calls of `modelgate.v1.WorkspaceService`: attach, get,
/// list and detach AKS clusters.
///
/// ACI needs no attachment (a deployment names the compute type instead), so
/// only AKS targets are stored. Reads need `Reader`, attach and detach `Contributor`.
public struct ComputeService: Sendable {
    /// Says whether services run on a compute target; such a target cannot be detached.
    public typealias ComputeInUseCheck = @Sendable (_ workspace: String, _ name: String) async throws -> Bool
    /// What the replicas on a compute target use now.
    public typealias ComputeUsageSource = @Sendable (_ workspace: String, _ name: String) async throws -> ComputeUsage

    private let computes: ComputeStore
    private let workspaces: WorkspaceStore
    private let regions: RegionStore
    private let authenticator: Authenticator
    private let clock: WallClock
    private let isComputeInUse: ComputeInUseCheck
    private let usage: ComputeUsageSource

    /// Largest capacities accepted: far beyond any real cluster, small enough that sums stay exact.
    static let maxCPUCores = 1_000_000.0
    static let maxMemoryGB = 100_000_000.0
    static let maxGPUs: UInt32 = 100_000

    public init(
        computes: ComputeStore, workspaces: WorkspaceStore, regions: RegionStore, authenticator: Authenticator,
        clock: WallClock,
        isComputeInUse: @escaping ComputeInUseCheck = { _, _ in false },
        usage: @escaping ComputeUsageSource = { _, _ in ComputeUsage() }
    ) {
        self.computes = computes
        self.workspaces = workspaces
        self.regions = regions
        self.authenticator = authenticator
        self.clock = clock
        self.isComputeInUse = isComputeInUse
        self.usage = usage
    }

    /// Adds the compute methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.authenticatedUnary(ModelGateMethods.Workspace.attachCompute, self.authenticator) { (request: AttachComputeRequest, caller, context) in
            try await self.attachCompute(request, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.getCompute, self.authenticator) { (request: GetComputeRequest, caller, _) in
            try await self.getCompute(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.listComputes, self.authenticator) { (request: ListComputesRequest, caller, _) in
            try await self.listComputes(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.detachCompute, self.authenticator) { (request: DetachComputeRequest, caller, context) in
            try await self.detachCompute(request, caller: caller, context: context)
        }
    }

    // MARK: Calls

    /// Attaches an AKS cluster with a region, a purpose and a capacity.
    func attachCompute(_ request: AttachComputeRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> ComputeTarget {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.contributor, on: workspace.name, caller, to: "attach compute targets")
        try ResourceName.validateCompute(request.name)
        switch request.type {
        case .aks:
            break
        case .aci:
            throw RPCError(
                code: .invalidArgument,
                message: "ACI needs no attachment: deploy with compute type ACI and no compute target"
            )
        case .unspecified:
            throw RPCError(code: .invalidArgument, message: "type is required: COMPUTE_TYPE_AKS")
        default:
            throw RPCError(code: .invalidArgument, message: "unknown compute type \(request.type.rawValue)")
        }
        let purpose: ComputeRecord.Purpose
        switch request.purpose {
        case .unspecified, .fastProd: purpose = .fastProd
        case .devTest: purpose = .devTest
        default: throw RPCError(code: .invalidArgument, message: "unknown cluster purpose \(request.purpose.rawValue): use FAST_PROD or DEV_TEST")
        }
        try Self.validateCapacity(cores: request.cpuCores, memoryGB: request.memoryGb, gpus: request.gpus)
        try ResourceMetadata.validate(description: request.description, tags: request.tags)
        let region = request.region.isEmpty ? workspace.region : request.region
        let known = try await self.regions.names()
        guard known.contains(region) else {
            throw RPCError(code: .invalidArgument, message: "unknown region '\(region)'; known regions: \(known.joined(separator: ", "))")
        }
        let record = ComputeRecord(
            workspace: workspace.name, name: request.name, kind: .aks, region: region, purpose: purpose,
            cpuCores: request.cpuCores, memoryGB: request.memoryGb, gpus: Int(request.gpus),
            description: request.description, tags: request.tags, createdBy: caller.principal.clientID,
            createdAt: Date(millisecondsSince1970: self.clock.now().millisecondsSince1970)
        )
        let stored: ComputeRecord
        do {
            stored = try await self.computes.attach(record)
        } catch StoreError.notFound(kind: "region", _) {
            throw RPCError(code: .invalidArgument, message: "unknown region '\(region)'")
        }
        context.logger.info("Attached compute target", metadata: [
            "workspace.name": "\(stored.workspace)", "compute.name": "\(stored.name)", "compute.region": "\(stored.region)",
            "compute.cpu_cores": "\(stored.cpuCores)", "compute.memory_gb": "\(stored.memoryGB)", "compute.gpus": "\(stored.gpus)",
        ])
        return ComputeTarget(stored)
    }

    /// One target with what its replicas use now.
    func getCompute(_ request: GetComputeRequest, caller: AuthenticatedCaller) async throws -> ComputeTarget {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.reader, on: workspace.name, caller, to: "read compute targets")
        let record = try await self.existingCompute(request.name, in: workspace.name)
        return ComputeTarget(record, usage: try await self.usage(record.workspace, record.name))
    }

    /// The workspace's targets, optionally only some types.
    func listComputes(_ request: ListComputesRequest, caller: AuthenticatedCaller) async throws -> ListComputesResponse {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.reader, on: workspace.name, caller, to: "list compute targets")
        var response = ListComputesResponse()
        for record in try await self.computes.list(workspace: workspace.name) {
            let type: ComputeType = record.kind == .aks ? .aks : .aci
            guard request.types.isEmpty || request.types.contains(type) else { continue }
            response.computes.append(ComputeTarget(record, usage: try await self.usage(record.workspace, record.name)))
        }
        return response
    }

    /// Detaches a target, unless services run on it.
    func detachCompute(_ request: DetachComputeRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> DetachComputeResponse {
        let workspace = try await self.existingWorkspace(request.workspace)
        try AccessPolicy.require(.contributor, on: workspace.name, caller, to: "detach compute targets")
        let record = try await self.existingCompute(request.name, in: workspace.name)
        if try await self.isComputeInUse(record.workspace, record.name) {
            throw RPCError(
                code: .failedPrecondition,
                message: "compute target '\(record.name)' has services running on it; delete them first"
            )
        }
        try await self.computes.detach(workspace: record.workspace, name: record.name)
        context.logger.info("Detached compute target", metadata: ["workspace.name": "\(record.workspace)", "compute.name": "\(record.name)"])
        return DetachComputeResponse()
    }

    // MARK: Validation

    private func existingWorkspace(_ name: String) async throws -> WorkspaceRecord {
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "workspace is required") }
        guard let record = try await self.workspaces.workspace(named: name) else {
            throw StoreError.notFound(kind: "workspace", name: name)
        }
        return record
    }

    private func existingCompute(_ name: String, in workspace: String) async throws -> ComputeRecord {
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "name is required") }
        guard let record = try await self.computes.compute(workspace: workspace, name: name) else {
            throw StoreError.notFound(kind: "compute target", name: name)
        }
        return record
    }

    /// Cores and memory positive and finite, everything within the sanity limits.
    static func validateCapacity(cores: Double, memoryGB: Double, gpus: UInt32) throws(RPCError) {
        guard cores.isFinite, cores > 0, cores <= Self.maxCPUCores else {
            throw RPCError(code: .invalidArgument, message: "cpu_cores must be positive and at most \(Int(Self.maxCPUCores)) (got \(cores))")
        }
        guard memoryGB.isFinite, memoryGB > 0, memoryGB <= Self.maxMemoryGB else {
            throw RPCError(code: .invalidArgument, message: "memory_gb must be positive and at most \(Int(Self.maxMemoryGB)) (got \(memoryGB))")
        }
        guard gpus <= Self.maxGPUs else {
            throw RPCError(code: .invalidArgument, message: "gpus must be at most \(Self.maxGPUs) (got \(gpus))")
        }
    }
}
