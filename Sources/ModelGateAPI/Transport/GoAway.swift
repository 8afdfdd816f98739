public import ModelGateWire

/// Payload of a GO_AWAY frame: the sender is closing the connection (`modelgate.v1.GoAway`).
public struct GoAway: ProtoMessage {
    /// Highest stream id the sender processed or will process.
    public var lastStreamID: UInt32 = 0
    /// OK for a graceful shutdown, otherwise the error that closes the connection.
    public var code = StatusCode.ok
    public var message = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GoAway"
    public static let fields: [ProtoField<Self>] = [
        .uint32(1, "last_stream_id", \.lastStreamID),
        .enumeration(2, "code", \.code),
        .string(3, "message", \.message),
    ]
}
