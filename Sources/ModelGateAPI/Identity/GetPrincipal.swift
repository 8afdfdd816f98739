public import ModelGateWire

/// Request of GetPrincipal (`modelgate.v1.GetPrincipalRequest`).
public struct GetPrincipalRequest: ProtoMessage {
    /// The principal's client id; empty means the caller.
    public var clientID = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetPrincipalRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "client_id", \.clientID),
    ]
}
