internal import ModelGateAPI
public import ModelGateRPC
internal import NIOPosix

/// `modelgate.v1.DeploymentService`: Deploy, WaitForDeployment,
/// Get/List/Update/DeleteService, GetLogs, GetCollectedData, and endpoints
/// with their versions. The ``DeploymentController`` does the work; this type
/// checks the caller's role (Reader to read, Contributor to change) and speaks
/// the wire types. WaitForDeployment, GetLogs and GetCollectedData take a
/// service's or an endpoint's name.
public struct DeploymentService: Sendable {
    private let controller: DeploymentController
    private let authenticator: Authenticator
    /// Model data collection, read back by GetCollectedData.
    private let collectedData: DataCollector?

    /// Lines per `GetLogsResponse` when sending a backlog.
    static let linesPerMessage = 500
    /// Records per `GetCollectedDataResponse`.
    static let recordsPerMessage = 200

    init(controller: DeploymentController, authenticator: Authenticator, collectedData: DataCollector? = nil) {
        self.controller = controller
        self.authenticator = authenticator
        self.collectedData = collectedData
    }

    /// Adds this service's methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.authenticatedUnary(ModelGateMethods.Deployment.deploy, self.authenticator) { (request: DeployRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "deploy services")
            var response = DeployResponse()
            response.service = try await self.controller.deploy(request, createdBy: caller.principal.clientID)
            return response
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.getService, self.authenticator) { (request: GetServiceRequest, caller, _) in
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "read services")
            return try await self.controller.service(workspace: request.workspace, name: request.name)
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.listServices, self.authenticator) { (request: ListServicesRequest, caller, _) in
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "list services")
            var response = ListServicesResponse()
            response.services = try await self.controller.services(request)
            return response
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.updateService, self.authenticator) { (request: UpdateServiceRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "update services")
            return try await self.controller.update(request)
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.deleteService, self.authenticator) { (request: DeleteServiceRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "delete services")
            try await self.controller.delete(workspace: request.workspace, name: request.name)
            return DeleteServiceResponse()
        }
        self.registerEndpoints(in: &router)
        router.serverStreaming(ModelGateMethods.Deployment.waitForDeployment) {
            (request: WaitForDeploymentRequest, context, responses: ResponseWriter<DeploymentProgress>) in
            let caller = try await self.authenticator.authenticate(metadata: context.metadata)
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "follow the deployment of service '\(request.name)'")
            let events = try await self.controller.progress(workspace: request.workspace, name: request.name)
            let ended: Bool
            if request.showOutput {
                let (logs, replicaPrefix) = try await self.controller.output(workspace: request.workspace, name: request.name)
                ended = try await Self.forward(events, withOutputOf: logs, replicaPrefix: replicaPrefix, request: request, to: responses)
            } else {
                var sawFinal = false
                for await event in events {
                    try await responses.write(event)
                    sawFinal = event.final
                }
                ended = sawFinal
            }
            if !ended {
                throw RPCError(code: .notFound, message: "service '\(request.name)' was deleted during its deployment")
            }
        }
        router.serverStreaming(ModelGateMethods.Deployment.getLogs) {
            (request: GetLogsRequest, context, responses: ResponseWriter<GetLogsResponse>) in
            let caller = try await self.authenticator.authenticate(metadata: context.metadata)
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "read the logs of service '\(request.name)'")
            let logs = try await self.controller.logs(workspace: request.workspace, name: request.name)
            try await Self.getLogs(request, logs: logs, responses: responses)
        }
        router.serverStreaming(ModelGateMethods.Deployment.getCollectedData) {
            (request: GetCollectedDataRequest, context, responses: ResponseWriter<GetCollectedDataResponse>) in
            let caller = try await self.authenticator.authenticate(metadata: context.metadata)
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "read the collected data of service '\(request.name)'")
            try await self.getCollectedData(request, responses: responses)
        }
    }

    /// Sends a service's collected records, oldest first, in batches.
    ///
    /// The collector's buffer is written out first, so every request answered
    /// before this call is included. A service that is gone still has its
    /// data read back; one that never existed (and left no data) is `NOT_FOUND`.
    ///
    /// - Throws: `INVALID_ARGUMENT` without a workspace or name, or for a
    ///   negative `since_unix_ms`; `NOT_FOUND` as above.
    func getCollectedData(_ request: GetCollectedDataRequest, responses: ResponseWriter<GetCollectedDataResponse>) async throws {
        guard !request.workspace.isEmpty, !request.name.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "workspace and name are required")
        }
        guard request.sinceUnixMs >= 0 else {
            throw RPCError(code: .invalidArgument, message: "since_unix_ms must not be negative (got \(request.sinceUnixMs))")
        }
        guard let collector = self.collectedData else { return }
        let reader = CollectedDataReader(root: collector.root)
        if !reader.hasData(workspace: request.workspace, service: request.name) {
            // Answers NOT_FOUND for a service that does not exist; an existing one has collected nothing yet.
            _ = try await self.controller.service(workspace: request.workspace, name: request.name)
        }
        await collector.flush()
        let query = CollectedDataReader.Query(
            workspace: request.workspace, service: request.name, versionSegment: request.version.isEmpty ? nil : request.version,
            sinceUnixMs: request.sinceUnixMs, limit: Int(request.limit)
        )
        var remaining = Int(request.limit)
        for file in try await NIOThreadPool.singleton.runIfActive({ reader.files(for: query) }) {
            let limit = remaining
            let records = try await NIOThreadPool.singleton.runIfActive {
                try reader.records(inFile: file, since: query.sinceUnixMs, limit: limit)
            }
            var start = 0
            while start < records.count {
                let end = min(start + Self.recordsPerMessage, records.count)
                var response = GetCollectedDataResponse()
                response.records = Array(records[start..<end])
                try await responses.write(response)
                start = end
            }
            if query.limit > 0 {
                remaining -= records.count
                if remaining <= 0 { return }
            }
        }
    }

    private func registerEndpoints(in router: inout RPCRouter) {
        router.authenticatedUnary(ModelGateMethods.Deployment.createEndpoint, self.authenticator) { (request: CreateEndpointRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "create endpoints")
            return try await self.controller.createEndpoint(request, createdBy: caller.principal.clientID)
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.getEndpoint, self.authenticator) { (request: GetEndpointRequest, caller, _) in
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "read endpoints")
            return try await self.controller.endpoint(workspace: request.workspace, name: request.name)
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.listEndpoints, self.authenticator) { (request: ListEndpointsRequest, caller, _) in
            try AccessPolicy.require(.reader, on: request.workspace, caller, to: "list endpoints")
            var response = ListEndpointsResponse()
            response.endpoints = try await self.controller.endpoints(request)
            return response
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.updateEndpoint, self.authenticator) { (request: UpdateEndpointRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "update endpoints")
            return try await self.controller.updateEndpoint(request)
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.deleteEndpoint, self.authenticator) { (request: DeleteEndpointRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "delete endpoints")
            try await self.controller.deleteEndpoint(workspace: request.workspace, name: request.name)
            return DeleteEndpointResponse()
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.createEndpointVersion, self.authenticator) {
            (request: CreateEndpointVersionRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "create endpoint versions")
            return try await self.controller.createEndpointVersion(request)
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.updateEndpointVersion, self.authenticator) {
            (request: UpdateEndpointVersionRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "update endpoint versions")
            return try await self.controller.updateEndpointVersion(request)
        }
        router.authenticatedUnary(ModelGateMethods.Deployment.deleteEndpointVersion, self.authenticator) {
            (request: DeleteEndpointVersionRequest, caller, _) in
            try AccessPolicy.require(.contributor, on: request.workspace, caller, to: "delete endpoint versions")
            return try await self.controller.deleteEndpointVersion(request)
        }
    }

    /// Sends the last `tail_lines` lines (all when 0) of each of the
    /// service's replicas, in batches; with `follow`, then every new line as it is
    /// written, until the caller cancels or the service goes away.
    ///
    /// - Throws: `INVALID_ARGUMENT` for a `start_offset` without a `replica_id`.
    static func getLogs(_ request: GetLogsRequest, logs: ServiceLogBuffer, responses: ResponseWriter<GetLogsResponse>) async throws {
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
                ? request.startOffset : max(0, logs.length(of: replicaID) + request.startOffset)
            tail = 0
        }
        guard request.follow else {
            try await Self.send(Self.last(tail, perReplicaOf: logs.tail(0, matching: filter)), to: responses, evenIfEmpty: true)
            return
        }
        let (everything, lines) = logs.follow(tail: 0, matching: filter)
        let backlog = Self.last(tail, perReplicaOf: everything)
        // Even with nothing written yet, answer at once so the caller knows the follow started.
        try await Self.send(backlog, to: responses, evenIfEmpty: true)
        for await line in lines {
            var response = GetLogsResponse()
            response.lines = [line.logLine]
            try await responses.write(response)
        }
    }

    /// Azure's `show_output`: the progress events, and the replicas' output
    /// lines of this deployment (their ids start with `replicaPrefix`) as
    /// events of their own, until the final event.
    ///
    /// Both sources feed one stream that this call alone writes from, so the
    /// response has a single writer and ends as soon as the final event is sent.
    ///
    /// - Returns: whether the final event was sent.
    static func forward(
        _ events: AsyncStream<DeploymentProgress>, withOutputOf logs: ServiceLogBuffer, replicaPrefix: String,
        request: WaitForDeploymentRequest, to responses: ResponseWriter<DeploymentProgress>
    ) async throws -> Bool {
        let (backlog, lines) = logs.follow(tail: 0)
        let (merged, sink) = AsyncStream.makeStream(of: DeploymentProgress.self)
        @Sendable func event(for line: ServiceLogLine) -> DeploymentProgress {
            var event = DeploymentProgress()
            event.workspace = request.workspace
            event.name = request.name
            event.phase = .replicasStarting
            event.state = .transitioning
            event.message = "[\(line.replicaID)] \(line.text)"
            event.timestampUnixMs = line.timestampUnixMs
            return event
        }
        let output = Task {
            for line in backlog where line.replicaID.hasPrefix(replicaPrefix) { sink.yield(event(for: line)) }
            for await line in lines where line.replicaID.hasPrefix(replicaPrefix) { sink.yield(event(for: line)) }
        }
        let progress = Task {
            for await event in events { sink.yield(event) }
            sink.finish()
        }
        defer {
            output.cancel()
            progress.cancel()
            sink.finish()
        }
        for await event in merged {
            try await responses.write(event)
            if event.final { return true }
        }
        return false
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
