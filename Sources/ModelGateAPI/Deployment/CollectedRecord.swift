public import ModelGateWire

/// One scoring request and its answer, as data collection kept it (`modelgate.v1.CollectedRecord`).
public struct CollectedRecord: ProtoMessage {
    /// When the request finished, in Unix milliseconds.
    public var timeUnixMs: Int64 = 0
    /// The request's id.
    public var requestID = ""
    /// The version that answered; empty for a web service.
    public var version = ""
    /// The replica that answered; empty when none did.
    public var replicaID = ""
    /// How the request ended.
    public var code = StatusCode.ok
    /// The HTTP status `run()` answered with; 0 when no replica answered.
    public var httpStatus: Int32 = 0
    /// The server's time for the request, in microseconds.
    public var latencyMicros: UInt64 = 0
    /// The record as it is kept: one JSON object (keys `time`, `request_id`, `workspace`,
    /// `service`, `version`, `replica`, `status`, `http_status`, `latency_us`, `input`, `output`).
    public var json = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.CollectedRecord"
    public static let fields: [ProtoField<Self>] = [
        .int64(1, "time_unix_ms", \.timeUnixMs),
        .string(2, "request_id", \.requestID),
        .string(3, "version", \.version),
        .string(4, "replica_id", \.replicaID),
        .enumeration(5, "code", \.code),
        .int32(6, "http_status", \.httpStatus),
        .uint64(7, "latency_micros", \.latencyMicros),
        .string(8, "json", \.json),
    ]
}
