public import ModelGateWire

/// Request of SetRegionLatency (`modelgate.v1.SetRegionLatencyRequest`).
public struct SetRegionLatencyRequest: ProtoMessage {
    /// One region of the pair.
    public var fromRegion = ""
    /// The other region of the pair.
    public var toRegion = ""
    /// The new round-trip latency in milliseconds.
    public var roundTripMs: UInt32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.SetRegionLatencyRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "from_region", \.fromRegion),
        .string(2, "to_region", \.toRegion),
        .uint32(3, "round_trip_ms", \.roundTripMs),
    ]
}
