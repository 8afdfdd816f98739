internal import Logging
internal import ModelGateAPI

/// What happens once a scoring request has its answer: the request log line
/// and, for a service with `collect_model_data` on, its data-collection record.
///
/// ``ScoringService`` calls ``finish(_:entry:response:)`` exactly once per
/// request (unary or one request of a stream), before the answer is sent, so
/// that an acknowledged request is already in the collector's buffer.
///
/// The log line is at `info` with the message `Scored request` and the
/// metadata `request.id`, `service.name`, `service.version`, `replica.id`,
/// `status`, `http.status`, `latency_us`, `bytes.in` and `bytes.out`. It never
/// carries the call's metadata (its `authorization`), a key, a token or a
/// body. It costs a formatted write per request; `--log-level warning`
/// turns it off (the metadata is not even built then).
struct ScoringRecorder: Sendable {
    private let logger: Logger
    private let collector: DataCollector?
    private let clock: WallClock

    init(logger: Logger, collector: DataCollector?, clock: WallClock) {
        self.logger = logger
        self.collector = collector
        self.clock = clock
    }

    /// Logs the request and, when its service collects model data, records it.
    ///
    /// - Parameters:
    ///   - request: The request as the client sent it.
    ///   - entry: The service that took it, once the call authenticated; `nil`
    ///     for a request refused before that (never collected).
    ///   - response: The answer, or for a failed unary call the status it ends with.
    func finish(_ request: ScoreRequest, entry: ServingEntry?, response: ScoreResponse) {
        let version = response.version.isEmpty ? (entry?.pool?.configuration.version ?? request.version) : response.version
        self.logger.info("Scored request", metadata: [
            "request.id": "\(response.requestID)",
            "service.name": "\(entry?.name ?? ServingRegistry.key(workspace: request.workspace, service: request.service))",
            "service.version": "\(version)",
            "replica.id": "\(response.replicaID)",
            "status": "\(response.code)",
            "http.status": "\(response.httpStatus)",
            "latency_us": "\(response.latencyMicros)",
            "bytes.in": "\(request.body.count)",
            "bytes.out": "\(response.body.count)",
        ])
        guard let collector = self.collector, let entry, entry.collectsModelData else { return }
        let limit = collector.configuration.maxBodyBytes
        collector.record(ModelDataRecord(
            timeUnixMs: self.clock.now().millisecondsSince1970, requestID: response.requestID,
            workspace: entry.workspace, service: entry.service, version: version, replicaID: response.replicaID,
            code: response.code, httpStatus: Int(response.httpStatus), latencyMicros: Int64(clamping: response.latencyMicros),
            input: ModelDataRecord.Body(request.body, limit: limit), output: ModelDataRecord.Body(response.body, limit: limit)
        ))
    }
}
