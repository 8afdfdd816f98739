public import ModelGateWire

/// `google.protobuf.FileDescriptorSet`, what `protoc --descriptor_set_out` writes,
/// decoded with ModelGate's own codec so the schema check needs no generated code.
///
/// Only the fields the check reads are declared; everything else (source info,
/// options the check does not look at) is kept in ``unknownFields`` by the codec.
public struct FileDescriptorSet: ProtoMessage {
    public var file: [FileDescriptorProto] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.FileDescriptorSet"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "file", \.file),
    ]
}
