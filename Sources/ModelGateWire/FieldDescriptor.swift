/// A field's declared type, numbered as in `google.protobuf.FieldDescriptorProto.Type`.
public enum FieldType: Int32, Sendable, Hashable, CaseIterable {
    case double = 1, float = 2, int64 = 3, uint64 = 4, int32 = 5, fixed64 = 6, fixed32 = 7
    case bool = 8, string = 9, group = 10, message = 11, bytes = 12, uint32 = 13
    case enumeration = 14, sfixed32 = 15, sfixed64 = 16, sint32 = 17, sint64 = 18
}

/// A field's cardinality, numbered as in `google.protobuf.FieldDescriptorProto.Label`.
public enum FieldLabel: Int32, Sendable, Hashable {
    case optional = 1, required = 2, repeated = 3
}

/// What the contract in `proto/` says about one field.
///
/// Each hand-written message lists its fields as ``ProtoField`` values, and each
/// of those carries this descriptor; a test compares them with the descriptor
/// set `protoc` writes, so the Swift codec cannot drift from the schema.
public struct FieldDescriptor: Sendable, Hashable, CustomStringConvertible {
    public var number: Int
    public var name: String
    public var type: FieldType
    public var label: FieldLabel
    /// The fully qualified message or enum name, without a leading dot, for
    /// message and enum fields; for a map field, its synthesised entry message.
    public var typeName: String?
    /// Whether the field is a `map<string, string>`.
    public var isMap: Bool

    public init(number: Int, name: String, type: FieldType, label: FieldLabel, typeName: String? = nil, isMap: Bool = false) {
        self.number = number
        self.name = name
        self.type = type
        self.label = label
        self.typeName = typeName
        self.isMap = isMap
    }

    public var description: String {
        "\(self.name) = \(self.number) [\(self.label) \(self.type)\(self.typeName.map { " \($0)" } ?? "")]"
    }
}
