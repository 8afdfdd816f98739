/// One row of a message's field table: the field's schema and how to move its
/// value between the Swift property and the wire.
///
/// Build rows with the factories (`.string(1, "name", \.name)`,
/// `.message(2, "status", \.status)`, `.map(3, "tags", \.tags)`, ...).
public struct ProtoField<Message: ProtoMessage>: Sendable {
    public let descriptor: FieldDescriptor
    @usableFromInline let encode: @Sendable (Message, inout ProtoWriter) -> Void
    @usableFromInline let decode: @Sendable (inout Message, inout ProtoReader, WireType) throws(WireError) -> Void

    @inlinable
    public init(
        descriptor: FieldDescriptor,
        encode: @escaping @Sendable (Message, inout ProtoWriter) -> Void,
        decode: @escaping @Sendable (inout Message, inout ProtoReader, WireType) throws(WireError) -> Void
    ) {
        self.descriptor = descriptor
        self.encode = encode
        self.decode = decode
    }
}

extension ProtoField {
    /// A singular scalar field; omitted from the wire when it holds its default.
    @inlinable
    public static func scalar<S: ProtoScalar>(
        _ number: Int, _ name: String, _ type: S.Type, _ keyPath: FieldKeyPath<Message, S.Value>
    ) -> Self {
        let field = FieldAccessor(keyPath)
        let typeName = (S.self as? any EnumScalarMarker.Type)?.enumProtoName
        return Self(
            descriptor: FieldDescriptor(number: number, name: name, type: S.fieldType, label: .optional, typeName: typeName),
            encode: { message, writer in
                let value = field.get(message)
                guard !S.isDefault(value) else { return }
                writer.writeKey(number, S.wireType)
                S.write(value, to: &writer)
            },
            decode: { message, reader, wireType throws(WireError) in
                guard wireType == S.wireType else {
                    throw WireError(.wrongWireType, "field \(number) (\(name)) has wire type \(wireType.rawValue), expected \(S.wireType.rawValue)")
                }
                field.set(&message, try S.read(from: &reader, fieldNumber: number))
            }
        )
    }

    /// A repeated scalar field; numeric types are written packed (the proto3
    /// default) and read in either form.
    @inlinable
    public static func repeated<S: ProtoScalar>(
        _ number: Int, _ name: String, _ type: S.Type, _ keyPath: FieldKeyPath<Message, [S.Value]>
    ) -> Self {
        let field = FieldAccessor(keyPath)
        let typeName = (S.self as? any EnumScalarMarker.Type)?.enumProtoName
        return Self(
            descriptor: FieldDescriptor(number: number, name: name, type: S.fieldType, label: .repeated, typeName: typeName),
            encode: { message, writer in
                let values = field.get(message)
                guard !values.isEmpty else { return }
                if S.wireType == .lengthDelimited {
                    for value in values {
                        writer.writeKey(number, S.wireType)
                        S.write(value, to: &writer)
                    }
                } else {
                    writer.writeKey(number, .lengthDelimited)
                    writer.writeNested { packed in
                        for value in values { S.write(value, to: &packed) }
                    }
                }
            },
            decode: { message, reader, wireType throws(WireError) in
                try reader.readRepeated(wireType: wireType, elementWireType: S.wireType, fieldNumber: number) {
                    (element: inout ProtoReader) throws(WireError) in
                    let value = try S.read(from: &element, fieldNumber: number)
                    field.modify(&message) { $0.append(value) }
                }
            }
        )
    }

    /// A singular message field; `nil` is absent, a present empty message is
    /// written as an empty length-delimited field.
    @inlinable
    public static func message<Sub: ProtoMessage>(
        _ number: Int, _ name: String, _ keyPath: FieldKeyPath<Message, Sub?>
    ) -> Self {
        let field = FieldAccessor(keyPath)
        return Self(
            descriptor: FieldDescriptor(number: number, name: name, type: .message, label: .optional, typeName: Sub.protoName),
            encode: { message, writer in
                guard let value = field.get(message) else { return }
                writer.writeKey(number, .lengthDelimited)
                writer.writeNested { value.encode(to: &$0) }
            },
            decode: { message, reader, wireType throws(WireError) in
                guard wireType == .lengthDelimited else {
                    throw WireError(.wrongWireType, "field \(number) (\(name)) has wire type \(wireType.rawValue), expected 2")
                }
                var nested = try reader.readNested()
                var value = field.get(message) ?? Sub()
                try value.merge(from: &nested)
                field.set(&message, value)
            }
        )
    }

    /// A repeated message field.
    @inlinable
    public static func repeatedMessage<Sub: ProtoMessage>(
        _ number: Int, _ name: String, _ keyPath: FieldKeyPath<Message, [Sub]>
    ) -> Self {
        let field = FieldAccessor(keyPath)
        return Self(
            descriptor: FieldDescriptor(number: number, name: name, type: .message, label: .repeated, typeName: Sub.protoName),
            encode: { message, writer in
                for value in field.get(message) {
                    writer.writeKey(number, .lengthDelimited)
                    writer.writeNested { value.encode(to: &$0) }
                }
            },
            decode: { message, reader, wireType throws(WireError) in
                guard wireType == .lengthDelimited else {
                    throw WireError(.wrongWireType, "field \(number) (\(name)) has wire type \(wireType.rawValue), expected 2")
                }
                var nested = try reader.readNested()
                var value = Sub()
                try value.merge(from: &nested)
                field.modify(&message) { $0.append(value) }
            }
        )
    }

    /// A `map<string, string>` field: on the wire, a repeated entry message with
    /// the key in field 1 and the value in field 2, written sorted by key.
    @inlinable
    public static func map(
        _ number: Int, _ name: String, _ keyPath: FieldKeyPath<Message, [String: String]>
    ) -> Self {
        let field = FieldAccessor(keyPath)
        let entryName = Message.protoName + "." + Self.camelCased(name) + "Entry"
        return Self(
            descriptor: FieldDescriptor(number: number, name: name, type: .message, label: .repeated, typeName: entryName, isMap: true),
            encode: { message, writer in
                let map = field.get(message)
                guard !map.isEmpty else { return }
                // Sorted by UTF-8 bytes, not by Swift's `<` (which compares the NFC
                // form), as the C++ and Go deterministic encoders do. (Python's upb
                // differs only in writing "ab" before "a" when one key prefixes another.)
                for (key, value) in map.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                    writer.writeKey(number, .lengthDelimited)
                    writer.writeNested { entry in
                        // Key and value are written even when empty, as upb, C++ and Go do.
                        entry.writeKey(1, .lengthDelimited)
                        entry.writeString(key)
                        entry.writeKey(2, .lengthDelimited)
                        entry.writeString(value)
                    }
                }
            },
            decode: { message, reader, wireType throws(WireError) in
                guard wireType == .lengthDelimited else {
                    throw WireError(.wrongWireType, "field \(number) (\(name)) has wire type \(wireType.rawValue), expected 2")
                }
                var entry = try reader.readNested()
                var key = ""
                var value = ""
                while let (entryNumber, entryWireType) = try entry.readKey() {
                    switch (entryNumber, entryWireType) {
                    case (1, .lengthDelimited): key = try entry.readString(fieldNumber: number)
                    case (2, .lengthDelimited): value = try entry.readString(fieldNumber: number)
                    case (1, _), (2, _):
                        throw WireError(.wrongWireType, "map field \(number) (\(name)) entry has wire type \(entryWireType.rawValue), expected 2")
                    default:
                        _ = try entry.skipField(fieldNumber: entryNumber, wireType: entryWireType, keyStart: entry.offset)
                    }
                }
                field.modify(&message) { $0[key] = value }
            }
        )
    }

    @usableFromInline static func camelCased(_ snake: String) -> String {
        snake.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

// Convenience factories named after the `.proto` scalar types.
extension ProtoField {
    @inlinable public static func string(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, String>) -> Self { .scalar(n, name, ProtoString.self, kp) }
    @inlinable public static func bytes(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, [UInt8]>) -> Self { .scalar(n, name, ProtoBytes.self, kp) }
    @inlinable public static func bool(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Bool>) -> Self { .scalar(n, name, ProtoBool.self, kp) }
    @inlinable public static func int32(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Int32>) -> Self { .scalar(n, name, ProtoInt32.self, kp) }
    @inlinable public static func int64(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Int64>) -> Self { .scalar(n, name, ProtoInt64.self, kp) }
    @inlinable public static func uint32(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, UInt32>) -> Self { .scalar(n, name, ProtoUInt32.self, kp) }
    @inlinable public static func uint64(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, UInt64>) -> Self { .scalar(n, name, ProtoUInt64.self, kp) }
    @inlinable public static func sint32(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Int32>) -> Self { .scalar(n, name, ProtoSInt32.self, kp) }
    @inlinable public static func sint64(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Int64>) -> Self { .scalar(n, name, ProtoSInt64.self, kp) }
    @inlinable public static func fixed32(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, UInt32>) -> Self { .scalar(n, name, ProtoFixed32.self, kp) }
    @inlinable public static func fixed64(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, UInt64>) -> Self { .scalar(n, name, ProtoFixed64.self, kp) }
    @inlinable public static func sfixed32(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Int32>) -> Self { .scalar(n, name, ProtoSFixed32.self, kp) }
    @inlinable public static func sfixed64(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Int64>) -> Self { .scalar(n, name, ProtoSFixed64.self, kp) }
    @inlinable public static func double(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Double>) -> Self { .scalar(n, name, ProtoDouble.self, kp) }
    @inlinable public static func float(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, Float>) -> Self { .scalar(n, name, ProtoFloat.self, kp) }
    @inlinable public static func enumeration<E: ProtoEnum>(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, E>) -> Self { .scalar(n, name, ProtoEnumScalar<E>.self, kp) }
    @inlinable public static func repeatedString(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, [String]>) -> Self { .repeated(n, name, ProtoString.self, kp) }
    @inlinable public static func repeatedEnum<E: ProtoEnum>(_ n: Int, _ name: String, _ kp: FieldKeyPath<Message, [E]>) -> Self { .repeated(n, name, ProtoEnumScalar<E>.self, kp) }
}

/// A key path to a message property; `Sendable` because field tables are shared between threads.
public typealias FieldKeyPath<Root, Value> = WritableKeyPath<Root, Value>

/// Lets a field row find the enum name of a ``ProtoEnumScalar`` without knowing its type.
@usableFromInline protocol EnumScalarMarker { static var enumProtoName: String { get } }
extension ProtoEnumScalar: EnumScalarMarker { @usableFromInline static var enumProtoName: String { E.protoName } }
