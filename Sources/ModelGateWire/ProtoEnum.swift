/// A protobuf enum: an open set of `Int32` values with names for the known ones.
///
/// Conforming types are structs, not Swift enums, so a value this build does not
/// know (sent by a newer peer) is kept and re-encoded unchanged, as proto3 requires:
///
/// ```swift
/// public struct Role: ProtoEnum {
///     public var rawValue: Int32
///     public init(rawValue: Int32) { self.rawValue = rawValue }
///     public static let unspecified = Role(rawValue: 0)
///     public static let owner = Role(rawValue: 1)
///     public static let protoName = "modelgate.v1.Role"
///     public static let knownValues: [(name: String, value: Int32)] = [("ROLE_UNSPECIFIED", 0), ("ROLE_OWNER", 1)]
/// }
/// ```
public protocol ProtoEnum: RawRepresentable, Hashable, Sendable where RawValue == Int32 {
    init(rawValue: Int32)
    /// The fully qualified name in `proto/`, such as `modelgate.v1.Role`.
    static var protoName: String { get }
    /// Every value the schema names, in declaration order.
    static var knownValues: [(name: String, value: Int32)] { get }
}

extension ProtoEnum {
    /// The schema's name for this value, or its number when this build does not know it.
    public var protoValueName: String {
        Self.knownValues.first { $0.value == self.rawValue }?.name ?? "\(self.rawValue)"
    }
}
