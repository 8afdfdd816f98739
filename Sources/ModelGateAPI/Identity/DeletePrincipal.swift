public import ModelGateWire

/// Request of DeletePrincipal (`modelgate.v1.DeletePrincipalRequest`).
public struct DeletePrincipalRequest: ProtoMessage {
    /// The principal's client id.
    public var clientID = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeletePrincipalRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "client_id", \.clientID),
    ]
}

/// Response of DeletePrincipal (`modelgate.v1.DeletePrincipalResponse`).
public struct DeletePrincipalResponse: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeletePrincipalResponse"
    public static let fields: [ProtoField<Self>] = []
}
