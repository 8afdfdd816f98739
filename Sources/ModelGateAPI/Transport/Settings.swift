public import ModelGateWire

/// Payload of a SETTINGS frame: the limits the sender enforces (`modelgate.v1.Settings`).
public struct Settings: ProtoMessage {
    public var maxFrameSize: UInt32 = 0
    public var maxConcurrentStreams: UInt32 = 0
    public var initialStreamWindow: UInt32 = 0
    public var initialConnectionWindow: UInt32 = 0
    public var maxHeaderSize: UInt32 = 0
    public var idleTimeoutSeconds: UInt32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.Settings"
    public static let fields: [ProtoField<Self>] = [
        .uint32(1, "max_frame_size", \.maxFrameSize),
        .uint32(2, "max_concurrent_streams", \.maxConcurrentStreams),
        .uint32(3, "initial_stream_window", \.initialStreamWindow),
        .uint32(4, "initial_connection_window", \.initialConnectionWindow),
        .uint32(5, "max_header_size", \.maxHeaderSize),
        .uint32(6, "idle_timeout_seconds", \.idleTimeoutSeconds),
    ]
}
