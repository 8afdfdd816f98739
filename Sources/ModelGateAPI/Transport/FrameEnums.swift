public import ModelGateWire

/// `modelgate.v1.FrameType`: the frame type byte, declared in the schema so every
/// client reads the same numbers. The transport uses ``ModelGateWire/FrameType``.
public struct FrameTypeEnum: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let protoName = "modelgate.v1.FrameType"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("FRAME_TYPE_UNSPECIFIED", 0), ("FRAME_TYPE_HEADERS", 1), ("FRAME_TYPE_MESSAGE", 2),
        ("FRAME_TYPE_TRAILERS", 3), ("FRAME_TYPE_CANCEL", 4), ("FRAME_TYPE_WINDOW_UPDATE", 5),
        ("FRAME_TYPE_PING", 6), ("FRAME_TYPE_GO_AWAY", 7), ("FRAME_TYPE_SETTINGS", 8),
    ]
}

/// `modelgate.v1.FrameFlag`: the frame flag bits. The transport uses ``ModelGateWire/FrameFlags``.
public struct FrameFlagEnum: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let protoName = "modelgate.v1.FrameFlag"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("FRAME_FLAG_NONE", 0), ("FRAME_FLAG_END_STREAM", 1),
    ]
}
