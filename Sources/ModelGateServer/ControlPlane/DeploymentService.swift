internal import ModelGateAPI
public import ModelGateRPC

/// `modelgate.v1.DeploymentService`: for now `GetLogs`, the replicas' output.
///
/// The other methods (Deploy, WaitForDeployment, ...) answer `UNIMPLEMENTED`
/// through ``UnimplementedMethods`` until the deployment step adds them here.
public struct DeploymentService: Sendable {
    private let registry: ServingRegistry
    private let authenticator: Authenticator

    /// Lines per `GetLogsResponse` when sending a backlog.
    static let linesPerMessage = 500

    init(registry: ServingRegistry, authenticator: Authenticator) {
        self.registry = registry
        self.authenticator = authenticator
    }

    /// Adds this service's methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.serverStreaming(ModelGateMethods.Deployment.getLogs) {
            (request: GetLogsRequest, context, responses: ResponseWriter<GetLogsResponse>) in
            let caller = try await self.authenticator.authenticate(metadata: context.metadata)
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "read the logs of service '\(request.name)'")
            try await self.getLogs(request, responses: responses)
        }
    }

    /// Sends the last `tail_lines` lines (all when 0) of each of the
    /// service's replicas, in batches; with `follow`, then every new line as it is
    /// written, until the caller cancels or the service goes away.
    ///
    /// - Throws: `NOT_FOUND` for a service that is not deployed,
    ///   `INVALID_ARGUMENT` for a `start_offset` without a `replica_id`.
    func getLogs(_ request: GetLogsRequest, responses: ResponseWriter<GetLogsResponse>) async throws {
        guard let entry = self.registry.entry(workspace: request.workspace, service: request.name) else {
            throw RPCError(code: .notFound, message: "no service '\(request.name)' is deployed in workspace '\(request.workspace)'")
        }
        var filter = ServiceLogFilter()
        filter.replicaID = request.replicaID.isEmpty ? nil : request.replicaID
        filter.version = request.version.isEmpty ? nil : request.version
        filter.sources = Set(request.sources.filter { $0 != .unspecified })
        var tail = Int(request.tailLines)
        if request.startOffset != 0 {
            guard let replicaID = filter.replicaID else {
                throw RPCError(code: .invalidArgument, message: "start_offset needs a replica_id: offsets count within one replica's log")
            }
            filter.minimumOffset = request.startOffset > 0
                ? request.startOffset : max(0, entry.logs.length(of: replicaID) + request.startOffset)
            tail = 0
        }
        guard request.follow else {
            try await Self.send(Self.last(tail, perReplicaOf: entry.logs.tail(0, matching: filter)), to: responses, evenIfEmpty: true)
            return
        }
        let (everything, lines) = entry.logs.follow(tail: 0, matching: filter)
        let backlog = Self.last(tail, perReplicaOf: everything)
        // Even with nothing written yet, answer at once so the caller knows the follow started.
        try await Self.send(backlog, to: responses, evenIfEmpty: true)
        for await line in lines {
            var response = GetLogsResponse()
            response.lines = [line.logLine]
            try await responses.write(response)
        }
    }

    /// The last `count` lines of each replica (all when 0), in their order.
    static func last(_ count: Int, perReplicaOf lines: [ServiceLogLine]) -> [ServiceLogLine] {
        guard count > 0 else { return lines }
        var seen: [String: Int] = [:]
        var kept: [ServiceLogLine] = []
        for line in lines.reversed() {
            let taken = seen[line.replicaID, default: 0]
            guard taken < count else { continue }
            seen[line.replicaID] = taken + 1
            kept.append(line)
        }
        return kept.reversed()
    }

    private static func send(
        _ lines: [ServiceLogLine], to responses: ResponseWriter<GetLogsResponse>, evenIfEmpty: Bool
    ) async throws {
        if lines.isEmpty, evenIfEmpty {
            try await responses.write(GetLogsResponse())
            return
        }
        var start = 0
        while start < lines.count {
            let end = min(start + Self.linesPerMessage, lines.count)
            var response = GetLogsResponse()
            response.lines = lines[start..<end].map(\.logLine)
            try await responses.write(response)
            start = end
        }
    }
}
