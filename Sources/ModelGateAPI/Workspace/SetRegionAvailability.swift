public import ModelGateWire

/// Request of SetRegionAvailability (`modelgate.v1.SetRegionAvailabilityRequest`).
public struct SetRegionAvailabilityRequest: ProtoMessage {
    /// The region's name.
    public var region = ""
    /// The new availability.
    public var available = false
    /// Why, shown in errors while the region is unavailable.
    public var reason = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.SetRegionAvailabilityRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "region", \.region),
        .bool(2, "available", \.available),
        .string(3, "reason", \.reason),
    ]
}
