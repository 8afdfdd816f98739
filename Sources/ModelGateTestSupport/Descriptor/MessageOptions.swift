public import ModelGateWire

/// `google.protobuf.MessageOptions` (subset): only `map_entry` matters to the check.
public struct MessageOptions: ProtoMessage {
    public var mapEntry = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.MessageOptions"
    public static let fields: [ProtoField<Self>] = [
        .bool(7, "map_entry", \.mapEntry),
    ]
}
