public import ModelGateWire

/// `google.protobuf.FieldOptions`, with no field declared.
///
/// descriptor.proto is proto2, so `packed = false` differs from "not given", and a
/// proto3-style field would read both as `false`. Everything is therefore left in
/// ``unknownFields`` and ``packed`` looks for field 2 there, keeping its presence.
public struct FieldOptions: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.FieldOptions"
    public static let fields: [ProtoField<Self>] = []

    /// The `packed` option: `nil` when not given.
    public var packed: Bool? {
        var reader = ProtoReader(bytes: self.unknownFields.bytes)
        var packed: Bool?
        do {
            while let (number, wireType) = try reader.readKey() {
                if number == 2 && wireType == .varint {
                    packed = try reader.readVarint() != 0
                } else {
                    _ = try reader.skipField(fieldNumber: number, wireType: wireType, keyStart: reader.offset)
                }
            }
        } catch {
            return packed
        }
        return packed
    }
}
