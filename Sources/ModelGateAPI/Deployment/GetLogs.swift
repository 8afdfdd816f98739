public import ModelGateWire

/// Request of GetLogs (`modelgate.v1.GetLogsRequest`).
public struct GetLogsRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's or endpoint's name.
    public var name = ""
    /// Lines to return from the end of each replica's log; 0 means all.
    public var tailLines: UInt32 = 0
    /// Keep the stream open and send new lines as they are written.
    public var follow = false
    /// Only this replica's lines, when not empty.
    public var replicaID = ""
    /// Only lines of this endpoint version's replicas, when not empty.
    public var version = ""
    /// With replica_id: start at this byte offset of the replica's log (to resume a broken follow), or, when
    /// negative, that many bytes before its end; 0 means use tail_lines.
    public var startOffset: Int64 = 0
    /// Only lines from these sources, when not empty.
    public var sources: [LogSource] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetLogsRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .uint32(3, "tail_lines", \.tailLines),
        .bool(4, "follow", \.follow),
        .string(5, "replica_id", \.replicaID),
        .string(6, "version", \.version),
        .sfixed64(7, "start_offset", \.startOffset),
        .repeatedEnum(8, "sources", \.sources),
    ]
}

/// A batch of log lines (`modelgate.v1.GetLogsResponse`).
public struct GetLogsResponse: ProtoMessage {
    /// Lines in the order they were written (per replica).
    public var lines: [LogLine] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetLogsResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "lines", \.lines),
    ]
}
