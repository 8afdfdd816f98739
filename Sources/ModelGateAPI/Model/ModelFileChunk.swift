public import ModelGateWire

/// A piece of one model file (`modelgate.v1.ModelFileChunk`).
public struct ModelFileChunk: ProtoMessage {
    /// The file's path relative to the model's root.
    public var path = ""
    /// Byte offset of data in the file; must equal the bytes received so far.
    public var offset: UInt64 = 0
    /// The bytes.
    public var data: [UInt8] = []
    /// CRC-32C of data, checked when not 0.
    public var crc32c: UInt32 = 0
    /// This chunk ends the file (an empty file is one chunk with no data and last set).
    public var last = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ModelFileChunk"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "path", \.path),
        .uint64(2, "offset", \.offset),
        .bytes(3, "data", \.data),
        .fixed32(4, "crc32c", \.crc32c),
        .bool(5, "last", \.last),
    ]
}
