/// A hand-written protobuf message.
///
/// A conforming type is a struct of plain Swift values that lists its fields in
/// one table; encoding, decoding and the schema check all read that table, so a
/// field's number and type are written exactly once:
///
/// ```swift
/// public struct Workspace: ProtoMessage {
///     public var name = ""
///     public var region = ""
///     public var tags: [String: String] = [:]
///     public var unknownFields = UnknownFields()
///     public init() {}
///
///     public static let protoName = "modelgate.v1.Workspace"
///     public static let fields: [ProtoField<Self>] = [
///         .string(1, "name", \.name),
///         .string(2, "region", \.region),
///         .map(3, "tags", \.tags),
///     ]
/// }
/// ```
public protocol ProtoMessage: Hashable, Sendable {
    init()
    /// The fully qualified name in `proto/`, such as `modelgate.v1.Workspace`.
    static var protoName: String { get }
    /// Every field of the message, in field-number order.
    static var fields: [ProtoField<Self>] { get }
    /// Fields this build did not recognise, re-encoded unchanged.
    var unknownFields: UnknownFields { get set }
}

extension ProtoMessage {
    /// Decodes a message from its wire-format bytes.
    ///
    /// - Throws: ``WireError`` for any malformed input; never traps.
    @inlinable public init(decoding bytes: [UInt8]) throws(WireError) {
        self.init()
        var reader = ProtoReader(bytes: bytes)
        try self.merge(from: &reader)
    }

    /// Reads fields until the reader is at its end, merging them into `self`
    /// as the spec says: the last scalar wins, repeated fields append, and a
    /// repeated singular message merges into the first.
    @inlinable public mutating func merge(from reader: inout ProtoReader) throws(WireError) {
        let fields = Self.fields
        while true {
            let keyStart = reader.offset
            guard let (number, wireType) = try reader.readKey() else { return }
            if let field = fields.first(where: { $0.descriptor.number == number }) {
                try field.decode(&self, &reader, wireType)
            } else {
                let raw = try reader.skipField(fieldNumber: number, wireType: wireType, keyStart: keyStart)
                self.unknownFields.bytes.append(contentsOf: raw)
            }
        }
    }

    /// The message's wire-format bytes: known fields in field-number order,
    /// proto3 defaults omitted, map entries sorted by key, unknown fields last.
    /// The result equals the official libraries' deterministic serialisation.
    @inlinable public func encoded() -> [UInt8] {
        var writer = ProtoWriter()
        self.encode(to: &writer)
        return writer.bytes
    }

    /// Appends the message's fields to `writer`.
    @inlinable public func encode(to writer: inout ProtoWriter) {
        for field in Self.fields {
            field.encode(self, &writer)
        }
        writer.appendRaw(self.unknownFields.bytes)
    }

    /// The schema of every field, for the contract check.
    public static var fieldDescriptors: [FieldDescriptor] { Self.fields.map(\.descriptor) }
}
