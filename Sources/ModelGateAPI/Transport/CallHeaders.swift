public import ModelGateWire

/// Payload of a HEADERS frame: opens a call (`modelgate.v1.CallHeaders`).
public struct CallHeaders: ProtoMessage {
    /// The full method name, "/modelgate.v1.Service/Method".
    public var method = ""
    /// Call metadata with lower-case keys, such as "authorization".
    public var metadata: [String: String] = [:]
    /// The caller's request id; the server makes one when empty.
    public var requestID = ""
    /// Time the caller allows for the whole call, in microseconds; 0 means none.
    public var timeoutMicros: UInt64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.CallHeaders"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "method", \.method),
        .map(2, "metadata", \.metadata),
        .string(3, "request_id", \.requestID),
        .uint64(4, "timeout_micros", \.timeoutMicros),
    ]
}
