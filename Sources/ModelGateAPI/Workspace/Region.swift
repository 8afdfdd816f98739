public import ModelGateWire

/// A named location, such as "westeurope" (`modelgate.v1.Region`).
public struct Region: ProtoMessage {
    /// The region's name, such as "westeurope".
    public var name = ""
    /// A human-readable name, such as "West Europe".
    public var displayName = ""
    /// False while the region is marked unavailable: its token services refuse to issue tokens (UNAVAILABLE),
    /// everything else keeps working.
    public var available = false
    /// Round-trip latency from this region to each other region.
    public var latencies: [RegionLatency] = []
    /// The region's offset from UTC in minutes, for showing local times.
    public var utcOffsetMinutes: Int32 = 0
    /// Why the region is unavailable, as given to SetRegionAvailability.
    public var unavailableReason = ""
    /// When availability last changed, in Unix milliseconds; 0 if never.
    public var availabilityChangedAtUnixMs: Int64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.Region"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .string(2, "display_name", \.displayName),
        .bool(3, "available", \.available),
        .repeatedMessage(4, "latencies", \.latencies),
        .sfixed32(5, "utc_offset_minutes", \.utcOffsetMinutes),
        .string(6, "unavailable_reason", \.unavailableReason),
        .int64(7, "availability_changed_at_unix_ms", \.availabilityChangedAtUnixMs),
    ]
}
