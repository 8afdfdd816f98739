internal import Foundation
internal import ModelGateAPI
public import ModelGateRPC

/// `modelgate.v1.ScoringService`: scoring requests to deployed services, and health.
///
/// `Score` and `ScoreStream` carry the service's key (`authorization: Bearer
/// <key>`) when the service has key auth; `Health` needs no credentials so
/// that load balancers and `modelgate status` can probe the server.
///
/// Scoring is the hot path: a request looks its service up in the
/// ``ServingRegistry`` (no database), checks the key in constant time, and
/// hands the body to the service's ``ReplicaPool``. Nothing is logged above
/// `debug` per request except the request log line (``ScoringRecorder``), and
/// no task is started per request except in `ScoreStream`, where requests of
/// one call run concurrently.
///
/// A unary `Score` that fails (`run()` raised, timeout, no free replica) ends
/// the call with that status and message. On `ScoreStream` a failed request
/// fails only its own response (its `code` and `message`), never the call.
public struct ScoringService: Sendable {
    private let version: String
    private let startedAt: ContinuousClock.Instant
    private let clock: WallClock
    private let registry: ServingRegistry
    /// Logs each finished request and hands it to data collection.
    private let recorder: ScoringRecorder?

    /// Requests of one `ScoreStream` call that may run (or wait to be
    /// written back) at once, per request the service can run at once; the
    /// call stops reading requests beyond that, so the RPC layer's flow
    /// control holds a client that does not read its responses.
    static let streamWindowPerCapacity = 2
    /// The window is at least this, so a small service still pipelines.
    static let minimumStreamWindow = 8

    init(
        version: String, startedAt: ContinuousClock.Instant, clock: WallClock, registry: ServingRegistry = ServingRegistry(),
        recorder: ScoringRecorder? = nil
    ) {
        self.version = version
        self.startedAt = startedAt
        self.clock = clock
        self.registry = registry
        self.recorder = recorder
    }

    /// Adds this service's methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.publicUnary(ModelGateMethods.Scoring.health) { (request: HealthRequest, _) in
            try self.health(request)
        }
        router.unary(ModelGateMethods.Scoring.score) { (request: ScoreRequest, context) in
            try await self.score(request, context: context)
        }
        router.bidirectional(ModelGateMethods.Scoring.scoreStream) {
            (requests: RequestStream<ScoreRequest>, responses: ResponseWriter<ScoreResponse>, context) in
            try await self.scoreStream(requests, responses: responses, context: context)
        }
    }

    // MARK: Health

    /// The server's status, version, uptime and clock, and the health of the
    /// services the request names.
    ///
    /// An empty `service_name` is the server with every deployed service; a
    /// `modelgate.v1.<Service>` name is the server; `<workspace>/<service>`
    /// is that service (`NOT_FOUND` if it is not deployed, as gRPC health
    /// checking answers an unknown service).
    func health(_ request: HealthRequest) throws -> HealthResponse {
        let name = request.serviceName
        let now = self.clock.now().millisecondsSince1970
        let uptime = ContinuousClock.now - self.startedAt
        var response = HealthResponse()
        response.status = .serving
        response.serverVersion = self.version
        response.uptimeMs = UInt64(max(0, uptime.milliseconds))
        response.serverTimeUnixMs = now
        response.clockSkewMs = request.clientTimeUnixMs == 0 ? 0 : now &- request.clientTimeUnixMs
        if name.isEmpty {
            response.services = self.registry.entries.map(Self.health(of:))
        } else if !ModelGateSchema.services.contains(where: { $0.name == name }) {
            guard let entry = self.registry.entry(named: name) else {
                throw RPCError(code: .notFound, message: "no service named '\(name)'")
            }
            let health = Self.health(of: entry)
            response.status = health.status
            response.services = [health]
        }
        return response
    }

    /// A service's health from its default version's pool (a web service's
    /// one pool), with metrics for the whole and for each endpoint version.
    private static func health(of entry: ServingEntry) -> ServiceHealth {
        var health = ServiceHealth()
        health.name = entry.name
        let snapshots = entry.pools.map(\.snapshot)
        guard let snapshot = entry.pool?.snapshot else {
            health.status = .notServing
            health.state = .transitioning
            health.message = "endpoint '\(entry.name)' has no version ready"
            return health
        }
        let serving = snapshots.contains { $0.readyReplicas > 0 && ($0.state == .healthy || $0.state == .unhealthy) }
        health.status = serving ? .serving : .notServing
        health.state = snapshot.state.webServiceState
        health.message = snapshot.message.isEmpty && !serving
            ? "service '\(entry.name)' is \(snapshot.state) with \(snapshot.readyReplicas) of \(snapshot.desiredReplicas) replicas ready"
            : snapshot.message
        var whole = snapshot.metrics
        whole.version = ""
        if snapshots.count > 1 {
            // The whole endpoint: counters summed over versions (latency stays the default version's).
            for other in snapshots where other.version != snapshot.version {
                let metrics = other.metrics
                whole.requestsTotal += metrics.requestsTotal
                whole.errorsTotal += metrics.errorsTotal
                whole.rejectedTotal += metrics.rejectedTotal
                whole.replicas += metrics.replicas
                whole.busyReplicas += metrics.busyReplicas
                whole.queueDepth += metrics.queueDepth
            }
            whole.utilization = whole.replicas == 0 ? 0 : Double(whole.busyReplicas) / Double(whole.replicas)
        }
        let versions = snapshots.filter { !$0.version.isEmpty }.map(\.metrics)
        health.metrics = [whole] + versions
        return health
    }

    // MARK: Score

    /// Scores one request; a failure is the call's status.
    func score(_ request: ScoreRequest, context: ServerCallContext) async throws -> ScoreResponse {
        let received = ContinuousClock.now
        let requestID = request.requestID.isEmpty ? context.requestID : request.requestID
        var served: ServingEntry?
        var response: ScoreResponse
        var thrown: (any Error)?
        do {
            response = try await self.scoreUnary(request, requestID: requestID, context: context, received: received, served: &served)
        } catch {
            thrown = error
            response = Self.failedResponse(Self.status(of: error), requestID: requestID, received: received)
        }
        self.recorder?.finish(request, entry: served, response: response)
        // The error as thrown (with its details and cause) goes to the RPC layer.
        if let thrown { throw thrown }
        guard response.code == .ok else { throw RPCError(code: response.code, message: response.message) }
        return response
    }

    /// The status a thrown error ends the call with, as the RPC layer sends it.
    private static func status(of error: any Error) -> RPCError {
        switch error {
        case let error as RPCError: error
        case let error as any RPCErrorConvertible: error.rpcError
        case is CancellationError: RPCError(code: .cancelled, message: "call cancelled")
        default: RPCError(code: .internal, message: "internal error")
        }
    }

    /// `Score`'s work: a failure of `run()` is the response's code (with the
    /// replica's answer kept, for the request log and data collection).
    ///
    /// - Parameter served: Set to the service once the call has authenticated.
    private func scoreUnary(
        _ request: ScoreRequest, requestID: String, context: ServerCallContext, received: ContinuousClock.Instant,
        served: inout ServingEntry?
    ) async throws -> ScoreResponse {
        let entry = try self.entry(for: request)
        try entry.auth.authenticate(metadata: context.metadata)
        served = entry
        return try await self.scoredResponse(request, requestID: requestID, on: entry, context: context, received: received)
    }

    /// Runs one authenticated request (unary, or one of a stream); a failure
    /// of `run()` is the response's code, with the replica's answer kept.
    private func scoredResponse(
        _ request: ScoreRequest, requestID: String, on entry: ServingEntry, context: ServerCallContext, received: ContinuousClock.Instant
    ) async throws -> ScoreResponse {
        let (answer, version) = try await self.score(
            Self.replicaRequest(from: request, requestID: requestID), on: entry, pinned: request.version, deadline: context.deadline
        )
        var response = Self.response(to: answer, requestID: requestID, version: version, received: received)
        if let failure = answer.failure(serviceName: entry.name) {
            response.code = failure.code
            response.message = failure.message
        }
        return response
    }

    /// Scores every request of the call as it comes, answering each as it
    /// finishes (in any order, matched by `request_id`).
    func scoreStream(
        _ requests: RequestStream<ScoreRequest>, responses: ResponseWriter<ScoreResponse>, context: ServerCallContext
    ) async throws {
        let outstanding = OutstandingRequestIDs()
        let (finished, finishedContinuation) = AsyncStream.makeStream(of: Void.self)
        var finishedIterator = finished.makeAsyncIterator()
        try await withThrowingDiscardingTaskGroup { group in
            var inFlight = 0
            for try await request in requests {
                let received = ContinuousClock.now
                let resolved: Result<ServingEntry, RPCError>
                do throws(RPCError) {
                    let entry = try self.entry(for: request)
                    try entry.auth.authenticate(metadata: context.metadata)
                    resolved = .success(entry)
                } catch {
                    resolved = .failure(error)
                }
                let id = request.requestID
                let accepted: RPCError? = {
                    if id.isEmpty {
                        return RPCError(code: .invalidArgument, message: "request_id is required on ScoreStream, to match responses to requests")
                    }
                    let inserted = outstanding.insert(id)
                    return inserted ? nil : RPCError(
                        code: .invalidArgument, message: "request_id '\(id)' is already in flight on this call"
                    )
                }()
                let window = (try? resolved.get()).map {
                    max(Self.minimumStreamWindow, Self.streamWindowPerCapacity * $0.endpoint.capacity)
                } ?? Self.minimumStreamWindow
                while inFlight >= window {
                    _ = await finishedIterator.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask {
                    defer { finishedContinuation.yield() }
                    var response: ScoreResponse
                    if let accepted {
                        response = Self.failedResponse(accepted, requestID: id, received: received)
                    } else {
                        defer { outstanding.remove(id) }
                        response = await self.scoreInBand(request, entry: resolved, context: context, received: received)
                    }
                    self.recorder?.finish(request, entry: try? resolved.get(), response: response)
                    do {
                        try await responses.write(response)
                    } catch let error as RPCError where error.code == .resourceExhausted {
                        // The answer is over the client's message limit: say so instead.
                        response = Self.failedResponse(error, requestID: id, received: received)
                        try await responses.write(response)
                    }
                }
            }
        }
    }

    /// One request of a stream; every failure becomes the response's code.
    private func scoreInBand(
        _ request: ScoreRequest, entry resolved: Result<ServingEntry, RPCError>, context: ServerCallContext,
        received: ContinuousClock.Instant
    ) async -> ScoreResponse {
        let entry: ServingEntry
        switch resolved {
        case .success(let found): entry = found
        case .failure(let error): return Self.failedResponse(error, requestID: request.requestID, received: received)
        }
        do {
            return try await self.scoredResponse(request, requestID: request.requestID, on: entry, context: context, received: received)
        } catch {
            return Self.failedResponse(Self.status(of: error), requestID: request.requestID, received: received)
        }
    }

    /// Runs a request on the version the endpoint's routing table picks (or
    /// the `pinned` one); if that version's pool left the table (an update,
    /// a redeploy or a version deletion finished between the pick and the
    /// call) and refuses the request as stopping, routes it once more, so a
    /// version change fails no request.
    ///
    /// - Returns: the answer and the version that served it.
    private func score(
        _ request: ReplicaRequest, on entry: ServingEntry, pinned: String, deadline: ContinuousClock.Instant?
    ) async throws -> (ReplicaResponse, String) {
        let route = try entry.endpoint.route(pinned: pinned)
        do {
            return (try await route.pool.score(request, deadline: deadline), route.version)
        } catch let error as RPCError where error.code == .unavailable {
            let current = self.registry.entry(named: entry.name)?.endpoint ?? entry.endpoint
            guard let again = try? current.route(pinned: pinned), again.pool !== route.pool else { throw error }
            return (try await again.pool.score(request, deadline: deadline), again.version)
        }
    }

    // MARK: Conversions

    /// The service a request names.
    ///
    /// - Throws: `INVALID_ARGUMENT` without a workspace or service name,
    ///   `NOT_FOUND` for a service or endpoint that is not deployed.
    private func entry(for request: ScoreRequest) throws(RPCError) -> ServingEntry {
        guard !request.workspace.isEmpty, !request.service.isEmpty else {
            throw RPCError(code: .invalidArgument, message: "workspace and service are required")
        }
        guard let entry = self.registry.entry(workspace: request.workspace, service: request.service) else {
            throw RPCError(code: .notFound, message: "no service '\(request.service)' is deployed in workspace '\(request.workspace)'")
        }
        return entry
    }

    static func replicaRequest(from request: ScoreRequest, requestID: String) -> ReplicaRequest {
        var headers = request.headers
        headers["content-type"] = request.contentType.isEmpty ? (headers["content-type"] ?? "application/json") : request.contentType
        var path = request.path.isEmpty ? "/score" : request.path
        var query = ""
        if let mark = path.firstIndex(of: "?") {
            query = String(path[path.index(after: mark)...])
            path = String(path[..<mark])
        }
        var replicaRequest = ReplicaRequest(
            body: request.body, headers: headers, method: request.httpMethod.isEmpty ? "POST" : request.httpMethod.uppercased(),
            path: path, query: query,
            // Azure refuses request ids over 100 characters (431); a call's own id is not worth that.
            requestID: requestID.utf8.count <= 100 ? requestID : ""
        )
        if request.timeoutMs > 0 { replicaRequest.timeout = .milliseconds(request.timeoutMs) }
        return replicaRequest
    }

    static func response(
        to answer: ReplicaResponse, requestID: String, version: String, received: ContinuousClock.Instant
    ) -> ScoreResponse {
        var response = ScoreResponse()
        response.requestID = requestID
        response.body = answer.body
        response.headers = answer.headers
        response.contentType = answer.headers.first { $0.key.lowercased() == "content-type" }?.value ?? ""
        response.httpStatus = Int32(clamping: answer.status)
        response.version = version
        response.replicaID = answer.replicaID
        response.latencyMicros = (ContinuousClock.now - received).microseconds
        response.queueWaitMicros = answer.queueWait.microseconds
        return response
    }

    static func failedResponse(_ error: RPCError, requestID: String, received: ContinuousClock.Instant) -> ScoreResponse {
        var response = ScoreResponse()
        response.requestID = requestID
        response.code = error.code
        response.message = error.message
        response.latencyMicros = (ContinuousClock.now - received).microseconds
        return response
    }
}
