public import ModelGateWire

/// A latency histogram with fixed bucket bounds, as Prometheus exports it (`modelgate.v1.LatencyHistogram`).
public struct LatencyHistogram: ProtoMessage {
    /// Upper bounds of the buckets in milliseconds, strictly increasing.
    public var boundsMs: [Double] = []
    /// Observations per bucket (not cumulative); one more entry than bounds_ms, the last counting observations
    /// above the highest bound.
    public var counts: [UInt64] = []
    /// Sum of all observed latencies in milliseconds.
    public var sumMs: Double = 0
    /// Number of observations.
    public var count: UInt64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.LatencyHistogram"
    public static let fields: [ProtoField<Self>] = [
        .repeated(1, "bounds_ms", ProtoDouble.self, \.boundsMs),
        .repeated(2, "counts", ProtoFixed64.self, \.counts),
        .double(3, "sum_ms", \.sumMs),
        .uint64(4, "count", \.count),
    ]
}
