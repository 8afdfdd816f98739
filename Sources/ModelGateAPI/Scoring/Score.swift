public import ModelGateWire

/// One scoring request (`modelgate.v1.ScoreRequest`).
public struct ScoreRequest: ProtoMessage {
    /// The caller's id for this request, echoed in the response; required on ScoreStream (unique among the
    /// call's outstanding requests), optional on Score.
    public var requestID = ""
    /// The workspace's name.
    public var workspace = ""
    /// The web service or endpoint's name.
    public var service = ""
    /// Pins an endpoint version by name; empty lets traffic percentiles choose.
    public var version = ""
    /// The request body as run(raw_data) receives it, usually JSON such as {"data": [...]}.
    public var body: [UInt8] = []
    /// The body's media type; empty means "application/json".
    public var contentType = ""
    /// Request headers with lower-case names, passed to a run() that declares request_headers, and to @rawhttp
    /// scripts.
    public var headers: [String: String] = [:]
    /// The HTTP method a @rawhttp script sees; empty means "POST".
    public var httpMethod = ""
    /// The path and query a @rawhttp script sees; empty means "/score".
    public var path = ""
    /// Time allowed for this request in milliseconds; 0 means the service's scoring_timeout_ms, and larger
    /// values are capped to it.
    public var timeoutMs: UInt32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ScoreRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "request_id", \.requestID),
        .string(2, "workspace", \.workspace),
        .string(3, "service", \.service),
        .string(4, "version", \.version),
        .bytes(5, "body", \.body),
        .string(6, "content_type", \.contentType),
        .map(7, "headers", \.headers),
        .string(8, "http_method", \.httpMethod),
        .string(9, "path", \.path),
        .uint32(10, "timeout_ms", \.timeoutMs),
    ]
}

/// The answer to one scoring request (`modelgate.v1.ScoreResponse`).
public struct ScoreResponse: ProtoMessage {
    /// The request's request_id (or the server's, when the request had none).
    public var requestID = ""
    /// OK, or why the request failed: RESOURCE_EXHAUSTED when no replica freed up in time, DEADLINE_EXCEEDED
    /// when run() took too long, INTERNAL when it raised.
    public var code = StatusCode.ok
    /// A human-readable message; empty on success.
    public var message = ""
    /// What run() returned, serialised (JSON unless a @rawhttp script chose otherwise).
    public var body: [UInt8] = []
    /// The body's media type.
    public var contentType = ""
    /// The HTTP status a @rawhttp script answered with; 200 otherwise.
    public var httpStatus: Int32 = 0
    /// Response headers a @rawhttp script set.
    public var headers: [String: String] = [:]
    /// The endpoint version that answered.
    public var version = ""
    /// The replica that answered.
    public var replicaID = ""
    /// Time from receiving the request to its answer, in microseconds.
    public var latencyMicros: UInt64 = 0
    /// Part of latency_micros spent waiting for a free replica, in microseconds.
    public var queueWaitMicros: UInt64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ScoreResponse"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "request_id", \.requestID),
        .enumeration(2, "code", \.code),
        .string(3, "message", \.message),
        .bytes(4, "body", \.body),
        .string(5, "content_type", \.contentType),
        .int32(6, "http_status", \.httpStatus),
        .map(7, "headers", \.headers),
        .string(8, "version", \.version),
        .string(9, "replica_id", \.replicaID),
        .uint64(10, "latency_micros", \.latencyMicros),
        .uint64(11, "queue_wait_micros", \.queueWaitMicros),
    ]
}
