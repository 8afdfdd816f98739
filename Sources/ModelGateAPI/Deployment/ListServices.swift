public import ModelGateWire

/// Request of ListServices; the filters combine (`modelgate.v1.ListServicesRequest`).
public struct ListServicesRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// Only services on this compute target, when not empty.
    public var computeTarget = ""
    /// Only services in these states, when not empty.
    public var states: [WebServiceState] = []
    /// Only services serving a model of this name, when not empty.
    public var modelName = ""
    /// Only services carrying all of these tags.
    public var tags: [String: String] = [:]
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListServicesRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "compute_target", \.computeTarget),
        .repeatedEnum(3, "states", \.states),
        .string(4, "model_name", \.modelName),
        .map(5, "tags", \.tags),
    ]
}

/// Response of ListServices (`modelgate.v1.ListServicesResponse`).
public struct ListServicesResponse: ProtoMessage {
    /// The matching services, ordered by name.
    public var services: [WebService] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListServicesResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "services", \.services),
    ]
}
