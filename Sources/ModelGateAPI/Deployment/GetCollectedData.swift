public import ModelGateWire

/// Request of GetCollectedData (`modelgate.v1.GetCollectedDataRequest`).
public struct GetCollectedDataRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's or endpoint's name.
    public var name = ""
    /// Only this version's records, when not empty (`default` names a web service's).
    public var version = ""
    /// Only records of requests that finished at or after this time, in Unix milliseconds; 0 means all.
    public var sinceUnixMs: Int64 = 0
    /// At most this many records, the oldest first; 0 means all.
    public var limit: UInt32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetCollectedDataRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .string(3, "version", \.version),
        .int64(4, "since_unix_ms", \.sinceUnixMs),
        .uint32(5, "limit", \.limit),
    ]
}

/// A batch of collected records (`modelgate.v1.GetCollectedDataResponse`).
public struct GetCollectedDataResponse: ProtoMessage {
    /// Oldest first within a version; versions one after the other.
    public var records: [CollectedRecord] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetCollectedDataResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "records", \.records),
    ]
}
