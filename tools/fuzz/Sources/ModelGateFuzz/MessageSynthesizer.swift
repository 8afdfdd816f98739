import ModelGateAPI
import ModelGateWire

/// Builds a valid encoding of a message with every field set, from its field
/// descriptors alone (the field tables' encoders are internal to the codec).
/// Nested messages are filled the same way down to ``maxDepth``.
enum MessageSynthesizer {
    static let maxDepth = 3

    static let typesByName: [String: any ProtoMessage.Type] = Dictionary(
        ModelGateSchema.messages.map { ($0.protoName, $0) }, uniquingKeysWith: { first, _ in first }
    )

    static func encodingWithEveryField(_ type: any ProtoMessage.Type, depth: Int = 0) -> [UInt8] {
        var writer = ProtoWriter()
        for field in type.fieldDescriptors {
            Self.write(field, to: &writer, depth: depth)
        }
        return writer.bytes
    }

    private static func write(_ field: FieldDescriptor, to writer: inout ProtoWriter, depth: Int) {
        let number = field.number
        let repeated = field.label == .repeated
        if field.isMap {
            for key in ["a", "b"] {
                writer.writeKey(number, .lengthDelimited)
                writer.writeNested { entry in
                    entry.writeKey(1, .lengthDelimited)
                    entry.writeString(key)
                    entry.writeKey(2, .lengthDelimited)
                    entry.writeString("v-\(key)")
                }
            }
            return
        }
        switch field.type {
        case .message:
            let nested = field.typeName.flatMap { Self.typesByName[$0] }
            for _ in 0..<(repeated ? 2 : 1) {
                writer.writeKey(number, .lengthDelimited)
                if let nested, depth < Self.maxDepth {
                    writer.writeLengthDelimited(Self.encodingWithEveryField(nested, depth: depth + 1))
                } else {
                    writer.writeLengthDelimited([UInt8]())
                }
            }
        case .string:
            for value in repeated ? ["x", "yz"] : ["x"] {
                writer.writeKey(number, .lengthDelimited)
                writer.writeString(value)
            }
        case .bytes:
            for value: [UInt8] in repeated ? [[0, 1, 2], [255]] : [[0, 1, 2]] {
                writer.writeKey(number, .lengthDelimited)
                writer.writeLengthDelimited(value)
            }
        case .group:
            break
        default:
            guard let wireType = Self.scalarWireType(field.type) else { return }
            if repeated {
                // Packed, as proto3 writes repeated numbers.
                writer.writeKey(number, .lengthDelimited)
                writer.writeNested { packed in
                    Self.writeScalar(field.type, wireType, 1, to: &packed)
                    Self.writeScalar(field.type, wireType, 2, to: &packed)
                }
            } else {
                writer.writeKey(number, wireType)
                Self.writeScalar(field.type, wireType, 1, to: &writer)
            }
        }
    }

    private static func scalarWireType(_ type: FieldType) -> WireType? {
        switch type {
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool, .enumeration: .varint
        case .fixed32, .sfixed32, .float: .fixed32
        case .fixed64, .sfixed64, .double: .fixed64
        default: nil
        }
    }

    private static func writeScalar(_ type: FieldType, _ wireType: WireType, _ value: Int, to writer: inout ProtoWriter) {
        switch (type, wireType) {
        case (.float, _): writer.writeFixed32(Float(value).bitPattern + 1)
        case (.double, _): writer.writeFixed64(Double(value).bitPattern + 1)
        case (_, .fixed32): writer.writeFixed32(UInt32(value))
        case (_, .fixed64): writer.writeFixed64(UInt64(value))
        default: writer.writeVarint(UInt64(value))
        }
    }
}
