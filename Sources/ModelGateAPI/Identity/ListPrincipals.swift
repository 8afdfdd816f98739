public import ModelGateWire

/// Request of ListPrincipals (`modelgate.v1.ListPrincipalsRequest`).
public struct ListPrincipalsRequest: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListPrincipalsRequest"
    public static let fields: [ProtoField<Self>] = []
}

/// Response of ListPrincipals (`modelgate.v1.ListPrincipalsResponse`).
public struct ListPrincipalsResponse: ProtoMessage {
    /// Every principal, ordered by client id.
    public var principals: [Principal] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListPrincipalsResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "principals", \.principals),
    ]
}
