internal import Foundation
internal import Logging
internal import ModelGateAPI
public import ModelGateRPC

/// `modelgate.v1.WorkspaceService`: workspaces and regions.
///
/// The same service's compute-target calls are registered by ``ComputeService``.
public struct WorkspaceService: Sendable {
    private let workspaces: WorkspaceStore
    private let regions: RegionStore
    private let authenticator: Authenticator
    private let clock: WallClock
    /// The server's region cache, kept in step with the database by the calls
    /// here that change regions and workspaces (and read by GetToken and every
    /// workspace call), so an outage or recovery is seen at once.
    var availability: RegionAvailability

    /// Longest description accepted, in characters.
    static let maxDescriptionLength = 1024
    /// Most tags on one workspace, and the longest key and value.
    static let maxTags = 50
    static let maxTagLength = 256
    /// Highest latency SetRegionLatency accepts: ten minutes is already absurd.
    static let maxRoundTripMilliseconds: UInt32 = 600_000

    /// - Parameter availability: the server's region cache (the one its
    ///   ``Authenticator`` reads); this service updates it after each change.
    public init(
        workspaces: WorkspaceStore, regions: RegionStore, authenticator: Authenticator, clock: WallClock,
        availability: RegionAvailability = RegionAvailability()
    ) {
        self.workspaces = workspaces
        self.regions = regions
        self.authenticator = authenticator
        self.clock = clock
        self.availability = availability
    }

    /// Adds this service's methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.authenticatedUnary(ModelGateMethods.Workspace.createWorkspace, self.authenticator) { (request: CreateWorkspaceRequest, caller, context) in
            try await self.createWorkspace(request, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.getWorkspace, self.authenticator) { (request: GetWorkspaceRequest, caller, _) in
            try await self.getWorkspace(request, caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.listWorkspaces, self.authenticator) { (_: ListWorkspacesRequest, caller, _) in
            try await self.listWorkspaces(caller: caller)
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.deleteWorkspace, self.authenticator) { (request: DeleteWorkspaceRequest, caller, context) in
            try await self.deleteWorkspace(request, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.listRegions, self.authenticator) { (_: ListRegionsRequest, _, _) in
            var response = ListRegionsResponse()
            response.regions = try await self.regions.list().map(Region.init)
            return response
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.setRegionAvailability, self.authenticator) { (request: SetRegionAvailabilityRequest, caller, context) in
            try await self.setRegionAvailability(request, caller: caller, context: context)
        }
        router.authenticatedUnary(ModelGateMethods.Workspace.setRegionLatency, self.authenticator) { (request: SetRegionLatencyRequest, caller, context) in
            try await self.setRegionLatency(request, caller: caller, context: context)
        }
    }

    // MARK: Calls

    /// Creates a workspace; the caller becomes its Owner.
    func createWorkspace(_ request: CreateWorkspaceRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> Workspace {
        try Self.validateName(request.name)
        try Self.validateDetails(description: request.description, tags: request.tags)
        let known = try await self.regions.names()
        guard known.contains(request.region) else {
            let what = request.region.isEmpty ? "region is required" : "unknown region '\(request.region)'"
            throw RPCError(code: .invalidArgument, message: "\(what); known regions: \(known.joined(separator: ", "))")
        }
        try self.availability.requireAvailable(request.region, for: "a new workspace")
        let record = WorkspaceRecord(
            name: request.name, id: UUID().uuidString.lowercased(), region: request.region,
            description: request.description, tags: request.tags, createdBy: caller.principal.clientID,
            createdAt: Date(millisecondsSince1970: self.clock.now().millisecondsSince1970)
        )
        do {
            try await self.workspaces.create(record, ownerPrincipalID: caller.principal.id)
        } catch StoreError.notFound(kind: "region", _) {
            // The region vanished between the check and the insert.
            throw RPCError(code: .invalidArgument, message: "unknown region '\(request.region)'")
        }
        self.availability.workspaceCreated(record.name, region: record.region)
        context.logger.info("Created workspace", metadata: ["workspace.name": "\(record.name)", "workspace.region": "\(record.region)"])
        return Workspace(record)
    }

    /// One workspace. Needs Reader on it.
    func getWorkspace(_ request: GetWorkspaceRequest, caller: AuthenticatedCaller) async throws -> Workspace {
        let record = try await self.existingWorkspace(request.name)
        try AccessPolicy.require(.reader, on: record.name, caller, to: "read this workspace")
        return Workspace(record)
    }

    /// The workspaces the caller holds a role on; every one for an admin.
    func listWorkspaces(caller: AuthenticatedCaller) async throws -> ListWorkspacesResponse {
        var response = ListWorkspacesResponse()
        response.workspaces = try await self.workspaces.list()
            .filter { caller.role(on: $0.name) != nil }
            .map(Workspace.init)
        return response
    }

    /// Deletes a workspace. Needs Owner on it.
    func deleteWorkspace(_ request: DeleteWorkspaceRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> DeleteWorkspaceResponse {
        let record = try await self.existingWorkspace(request.name)
        try AccessPolicy.require(.owner, on: record.name, caller, to: "delete this workspace")
        // Nothing can live in a workspace yet, so `force` changes nothing for now.
        try await self.workspaces.delete(named: record.name)
        self.availability.workspaceDeleted(record.name)
        context.logger.info("Deleted workspace", metadata: ["workspace.name": "\(record.name)"])
        return DeleteWorkspaceResponse()
    }

    /// Marks a region up or down (chaos testing). Admin only.
    ///
    /// The cache is updated once the change is committed, so the next call
    /// for a workspace there sees it: recovery needs no restart and no poll.
    func setRegionAvailability(_ request: SetRegionAvailabilityRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> Region {
        try AccessPolicy.requireAdmin(caller, to: "change region availability")
        guard !request.region.isEmpty else { throw RPCError(code: .invalidArgument, message: "region is required") }
        let record = try await self.regions.setAvailability(
            of: request.region, to: request.available, reason: request.reason, at: self.clock.now()
        )
        self.availability.update(record)
        context.logger.warning("Region availability changed", metadata: [
            "region.name": "\(record.name)", "region.available": "\(record.isAvailable)", "region.reason": "\(request.reason)",
        ])
        return Region(record)
    }

    /// Sets the latency between two regions (chaos testing). Admin only.
    func setRegionLatency(_ request: SetRegionLatencyRequest, caller: AuthenticatedCaller, context: ServerCallContext) async throws -> Region {
        try AccessPolicy.requireAdmin(caller, to: "change region latency")
        guard !request.fromRegion.isEmpty, !request.toRegion.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "from_region and to_region are required")
        }
        guard request.roundTripMs <= Self.maxRoundTripMilliseconds else {
            throw RPCError(
                code: .invalidArgument,
                message: "round_trip_ms must be at most \(Self.maxRoundTripMilliseconds) (got \(request.roundTripMs))"
            )
        }
        try await self.regions.setLatency(between: request.fromRegion, and: request.toRegion, milliseconds: Int(request.roundTripMs))
        context.logger.info("Region latency changed", metadata: [
            "region.from": "\(request.fromRegion)", "region.to": "\(request.toRegion)", "region.round_trip_ms": "\(request.roundTripMs)",
        ])
        guard let record = try await self.regions.region(named: request.fromRegion) else {
            throw StoreError.notFound(kind: "region", name: request.fromRegion)
        }
        return Region(record)
    }

    // MARK: Validation

    private func existingWorkspace(_ name: String) async throws -> WorkspaceRecord {
        guard !name.isEmpty else { throw RPCError(code: .invalidArgument, message: "name is required") }
        guard let record = try await self.workspaces.workspace(named: name) else {
            throw StoreError.notFound(kind: "workspace", name: name)
        }
        return record
    }

    /// Azure ML's workspace name rule: 3-33 characters of ASCII letters, digits,
    /// `-` and `_`, starting with a letter or digit.
    static func validateName(_ name: String) throws(RPCError) {
        let rule = "workspace names are 3-33 characters of letters, digits, '-' and '_', starting with a letter or digit"
        let bytes = Array(name.utf8)
        guard (3...33).contains(bytes.count) else {
            throw RPCError(code: .invalidArgument, message: "invalid workspace name '\(name)' (\(bytes.count) characters): \(rule)")
        }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        guard isAlphanumeric(bytes[0]), bytes.allSatisfy({ isAlphanumeric($0) || $0 == 0x2D || $0 == 0x5F }) else {
            throw RPCError(code: .invalidArgument, message: "invalid workspace name '\(name)': \(rule)")
        }
    }

    static func validateDetails(description: String, tags: [String: String]) throws(RPCError) {
        guard description.count <= Self.maxDescriptionLength else {
            throw RPCError(
                code: .invalidArgument,
                message: "description is too long (max: \(Self.maxDescriptionLength) characters, actual: \(description.count))"
            )
        }
        guard tags.count <= Self.maxTags else {
            throw RPCError(code: .invalidArgument, message: "too many tags (max: \(Self.maxTags), actual: \(tags.count))")
        }
        for (key, value) in tags where key.isEmpty || key.count > Self.maxTagLength || value.count > Self.maxTagLength {
            throw RPCError(
                code: .invalidArgument,
                message: "tag keys must be 1-\(Self.maxTagLength) characters and values at most \(Self.maxTagLength) (key '\(key.prefix(40))')"
            )
        }
    }
}
