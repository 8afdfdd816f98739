public import ModelGateWire

/// A user or service principal (`modelgate.v1.Principal`).
public struct Principal: ProtoMessage {
    /// The principal's client id (its name at sign-in), chosen by the server.
    public var clientID = ""
    /// A human-readable name.
    public var displayName = ""
    /// User or service principal.
    public var kind = PrincipalKind.unspecified
    /// When the principal was created, in Unix milliseconds.
    public var createdAtUnixMs: Int64 = 0
    /// The principal's roles, one per workspace at most.
    public var roleAssignments: [RoleAssignment] = []
    /// May call the administrative methods (principals, region chaos controls).
    public var admin = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.Principal"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "client_id", \.clientID),
        .string(2, "display_name", \.displayName),
        .enumeration(3, "kind", \.kind),
        .int64(4, "created_at_unix_ms", \.createdAtUnixMs),
        .repeatedMessage(5, "role_assignments", \.roleAssignments),
        .bool(6, "admin", \.admin),
    ]
}
