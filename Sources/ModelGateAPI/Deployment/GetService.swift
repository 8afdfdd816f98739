public import ModelGateWire

/// Request of GetService (`modelgate.v1.GetServiceRequest`).
public struct GetServiceRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The service's name.
    public var name = ""
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.GetServiceRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
    ]
}
