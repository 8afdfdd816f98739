public import ModelGateWire

/// A switch whose default depends on context, for settings where "not given" must differ from "off" (proto3 has
/// no presence for bool fields) (`modelgate.v1.Toggle`).
public struct Toggle: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Not given: the documented default for the field applies.
    public static let unspecified = Toggle(rawValue: 0)
    /// Explicitly on.
    public static let enabled = Toggle(rawValue: 1)
    /// Explicitly off.
    public static let disabled = Toggle(rawValue: 2)

    public static let protoName = "modelgate.v1.Toggle"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("TOGGLE_UNSPECIFIED", 0),
        ("TOGGLE_ENABLED", 1),
        ("TOGGLE_DISABLED", 2),
    ]
}
