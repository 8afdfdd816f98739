public import ModelGateWire

/// Request of DeleteService (`modelgate.v1.DeleteServiceRequest`).
public struct DeleteServiceRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's name.
    public var name = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteServiceRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
    ]
}

/// Response of DeleteService (`modelgate.v1.DeleteServiceResponse`).
public struct DeleteServiceResponse: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.DeleteServiceResponse"
    public static let fields: [ProtoField<Self>] = []
}
