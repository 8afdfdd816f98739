public import ModelGateWire

/// Request of Health (`modelgate.v1.HealthRequest`).
public struct HealthRequest: ProtoMessage {
    /// Empty for the server as a whole, "modelgate.v1.<Service>" for one RPC service, or
    /// "<workspace>/<service>" for one deployed web service or endpoint.
    public var serviceName = ""
    /// The caller's clock when sending, in Unix milliseconds; 0 if not given. Lets the response report clock
    /// skew, which matters for token expiry.
    public var clientTimeUnixMs: Int64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.HealthRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "service_name", \.serviceName),
        .int64(2, "client_time_unix_ms", \.clientTimeUnixMs),
    ]
}

/// Response of Health (`modelgate.v1.HealthResponse`).
public struct HealthResponse: ProtoMessage {
    /// Status of what service_name named.
    public var status = ServingStatus.unspecified
    /// The server's version, such as "0.1.0".
    public var serverVersion = ""
    /// Time since the server started, in milliseconds.
    public var uptimeMs: UInt64 = 0
    /// Health of each deployed service the request covers (all of them for an empty service_name, the named one
    /// for "<workspace>/<service>").
    public var services: [ServiceHealth] = []
    /// The server's clock when answering, in Unix milliseconds.
    public var serverTimeUnixMs: Int64 = 0
    /// server_time_unix_ms minus client_time_unix_ms, in milliseconds; 0 when the caller gave no time. Includes
    /// one-way network delay.
    public var clockSkewMs: Int64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.HealthResponse"
    public static let fields: [ProtoField<Self>] = [
        .enumeration(1, "status", \.status),
        .string(2, "server_version", \.serverVersion),
        .uint64(3, "uptime_ms", \.uptimeMs),
        .repeatedMessage(4, "services", \.services),
        .int64(5, "server_time_unix_ms", \.serverTimeUnixMs),
        .sint64(6, "clock_skew_ms", \.clockSkewMs),
    ]
}
