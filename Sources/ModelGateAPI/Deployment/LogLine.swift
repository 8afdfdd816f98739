public import ModelGateWire

/// One line of a replica's output (`modelgate.v1.LogLine`).
public struct LogLine: ProtoMessage {
    /// The replica that wrote it.
    public var replicaID = ""
    /// The endpoint version the replica runs.
    public var version = ""
    /// Which output it came from.
    public var source = LogSource.unspecified
    /// When it was written, in Unix milliseconds.
    public var timestampUnixMs: Int64 = 0
    /// The text, without the trailing newline.
    public var text = ""
    /// Byte offset of the line in the replica's log, for resuming with start_offset.
    public var offset: Int64 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.LogLine"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "replica_id", \.replicaID),
        .string(2, "version", \.version),
        .enumeration(3, "source", \.source),
        .int64(4, "timestamp_unix_ms", \.timestampUnixMs),
        .string(5, "text", \.text),
        .sfixed64(6, "offset", \.offset),
    ]
}
