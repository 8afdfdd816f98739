public import ModelGateWire

/// `google.protobuf.FieldDescriptorProto`: one field of a message (subset).
///
/// `label` and `type` are enums in descriptor.proto; they are read as `int32`,
/// which has the same encoding, and mapped to ``ModelGateWire/FieldLabel`` and
/// ``ModelGateWire/FieldType``, which use descriptor.proto's numbers.
public struct FieldDescriptorProto: ProtoMessage {
    public var name = ""
    public var number: Int32 = 0
    public var label: Int32 = 0
    public var type: Int32 = 0
    /// Fully qualified, with a leading dot: `.modelgate.v1.Workspace`.
    public var typeName = ""
    public var defaultValue = ""
    public var options: FieldOptions?
    public var oneofIndex: Int32 = 0
    public var jsonName = ""
    public var proto3Optional = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "google.protobuf.FieldDescriptorProto"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .int32(3, "number", \.number),
        .int32(4, "label", \.label),
        .int32(5, "type", \.type),
        .string(6, "type_name", \.typeName),
        .string(7, "default_value", \.defaultValue),
        .message(8, "options", \.options),
        .int32(9, "oneof_index", \.oneofIndex),
        .string(10, "json_name", \.jsonName),
        .bool(17, "proto3_optional", \.proto3Optional),
    ]

    public var fieldType: FieldType? { FieldType(rawValue: self.type) }
    public var fieldLabel: FieldLabel? { FieldLabel(rawValue: self.label) }
    /// ``typeName`` without its leading dot, as ``ModelGateWire/FieldDescriptor`` spells it.
    public var unqualifiedTypeName: String? {
        self.typeName.isEmpty ? nil : String(self.typeName.drop { $0 == "." })
    }
}
