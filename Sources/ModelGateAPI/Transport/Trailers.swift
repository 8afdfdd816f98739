public import ModelGateWire

/// Payload of a TRAILERS frame: ends a call with its status (`modelgate.v1.Trailers`).
public struct Trailers: ProtoMessage {
    public var code = StatusCode.ok
    public var message = ""
    /// Structured details of a failure, such as the limit that was exceeded.
    public var details: [String: String] = [:]
    /// The request id the server used for this call.
    public var requestID = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.Trailers"
    public static let fields: [ProtoField<Self>] = [
        .enumeration(1, "code", \.code),
        .string(2, "message", \.message),
        .map(3, "details", \.details),
        .string(4, "request_id", \.requestID),
    ]
}
