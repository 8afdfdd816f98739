public import ModelGateWire

/// Request of CreatePrincipal (`modelgate.v1.CreatePrincipalRequest`).
public struct CreatePrincipalRequest: ProtoMessage {
    /// A human-readable name.
    public var displayName = ""
    /// User or service principal.
    public var kind = PrincipalKind.unspecified
    /// Whether the new principal may call administrative methods.
    public var admin = false
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.CreatePrincipalRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "display_name", \.displayName),
        .enumeration(2, "kind", \.kind),
        .bool(3, "admin", \.admin),
    ]
}

/// Response of CreatePrincipal (`modelgate.v1.CreatePrincipalResponse`).
public struct CreatePrincipalResponse: ProtoMessage {
    /// The new principal.
    public var principal: Principal?
    /// The principal's secret; the server keeps only its hash and never returns it again.
    public var clientSecret = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.CreatePrincipalResponse"
    public static let fields: [ProtoField<Self>] = [
        .message(1, "principal", \.principal),
        .string(2, "client_secret", \.clientSecret),
    ]
}
