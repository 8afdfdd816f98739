public import ModelGateWire

/// Live serving metrics of an endpoint or one of its versions (`modelgate.v1.ServiceMetrics`).
public struct ServiceMetrics: ProtoMessage {
    /// The version these cover; empty for the whole endpoint.
    public var version = ""
    /// Requests received since the service started.
    public var requestsTotal: UInt64 = 0
    /// Requests that ended with a status other than OK.
    public var errorsTotal: UInt64 = 0
    /// Requests refused because no replica freed up within max_request_wait_time_ms.
    public var rejectedTotal: UInt64 = 0
    /// Latency of completed requests, queueing included.
    public var latency: LatencyHistogram?
    /// Replicas running now.
    public var replicas: UInt32 = 0
    /// Replicas handling at least one request now.
    public var busyReplicas: UInt32 = 0
    /// busy_replicas / replicas, averaged over the autoscaler's last window, 0-1.
    public var utilization: Double = 0
    /// Requests waiting for a free replica now.
    public var queueDepth: UInt32 = 0
    /// The autoscaler's last decision: replicas added (positive) or removed (negative).
    public var lastScaleDelta: Int32 = 0
    /// When the autoscaler last changed the replica count, in Unix milliseconds.
    public var lastScaledAtUnixMs: Int64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ServiceMetrics"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "version", \.version),
        .uint64(2, "requests_total", \.requestsTotal),
        .uint64(3, "errors_total", \.errorsTotal),
        .uint64(4, "rejected_total", \.rejectedTotal),
        .message(5, "latency", \.latency),
        .uint32(6, "replicas", \.replicas),
        .uint32(7, "busy_replicas", \.busyReplicas),
        .double(8, "utilization", \.utilization),
        .uint32(9, "queue_depth", \.queueDepth),
        .sint32(10, "last_scale_delta", \.lastScaleDelta),
        .int64(11, "last_scaled_at_unix_ms", \.lastScaledAtUnixMs),
    ]
}
