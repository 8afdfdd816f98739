public import ModelGateWire

/// Request of ListComputes (`modelgate.v1.ListComputesRequest`).
public struct ListComputesRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// Only targets of these types, when not empty.
    public var types: [ComputeType] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListComputesRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .repeatedEnum(2, "types", \.types),
    ]
}

/// Response of ListComputes (`modelgate.v1.ListComputesResponse`).
public struct ListComputesResponse: ProtoMessage {
    /// The matching compute targets, ordered by name.
    public var computes: [ComputeTarget] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListComputesResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "computes", \.computes),
    ]
}
