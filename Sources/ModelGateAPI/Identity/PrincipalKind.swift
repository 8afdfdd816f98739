public import ModelGateWire

/// What kind of identity a principal is (`modelgate.v1.PrincipalKind`).
public struct PrincipalKind: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Not given; rejected on create.
    public static let unspecified = PrincipalKind(rawValue: 0)
    /// A person.
    public static let user = PrincipalKind(rawValue: 1)
    /// An application or automation (Azure's service principal).
    public static let servicePrincipal = PrincipalKind(rawValue: 2)

    public static let protoName = "modelgate.v1.PrincipalKind"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("PRINCIPAL_KIND_UNSPECIFIED", 0),
        ("PRINCIPAL_KIND_USER", 1),
        ("PRINCIPAL_KIND_SERVICE_PRINCIPAL", 2),
    ]
}
