public import ModelGateWire

/// A role on a workspace; each role includes the rights of the ones below it (`modelgate.v1.Role`).
public struct Role: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// No role; rejected when assigning.
    public static let unspecified = Role(rawValue: 0)
    /// Read everything in the workspace and fetch scoring tokens for its services.
    public static let reader = Role(rawValue: 1)
    /// Reader, plus create, change and delete models, environments, computes and services.
    public static let contributor = Role(rawValue: 2)
    /// Contributor, plus assign roles and delete the workspace.
    public static let owner = Role(rawValue: 3)

    public static let protoName = "modelgate.v1.Role"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("ROLE_UNSPECIFIED", 0),
        ("ROLE_READER", 1),
        ("ROLE_CONTRIBUTOR", 2),
        ("ROLE_OWNER", 3),
    ]
}
