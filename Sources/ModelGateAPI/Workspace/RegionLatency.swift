public import ModelGateWire

/// The distance from one region to another (`modelgate.v1.RegionLatency`).
public struct RegionLatency: ProtoMessage {
    /// The other region's name.
    public var region = ""
    /// Round-trip time added to calls between the two regions, in milliseconds.
    public var roundTripMs: UInt32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.RegionLatency"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "region", \.region),
        .uint32(2, "round_trip_ms", \.roundTripMs),
    ]
}
