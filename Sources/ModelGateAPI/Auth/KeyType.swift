public import ModelGateWire

/// Which of a service's two keys (`modelgate.v1.KeyType`).
public struct KeyType: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Not given; rejected.
    public static let unspecified = KeyType(rawValue: 0)
    /// The primary key.
    public static let primary = KeyType(rawValue: 1)
    /// The secondary key.
    public static let secondary = KeyType(rawValue: 2)

    public static let protoName = "modelgate.v1.KeyType"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("KEY_TYPE_UNSPECIFIED", 0),
        ("KEY_TYPE_PRIMARY", 1),
        ("KEY_TYPE_SECONDARY", 2),
    ]
}
