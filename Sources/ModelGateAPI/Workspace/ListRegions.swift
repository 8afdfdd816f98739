public import ModelGateWire

/// Request of ListRegions (`modelgate.v1.ListRegionsRequest`).
public struct ListRegionsRequest: ProtoMessage {
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListRegionsRequest"
    public static let fields: [ProtoField<Self>] = []
}

/// Response of ListRegions (`modelgate.v1.ListRegionsResponse`).
public struct ListRegionsResponse: ProtoMessage {
    /// Every region, ordered by name.
    public var regions: [Region] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ListRegionsResponse"
    public static let fields: [ProtoField<Self>] = [
        .repeatedMessage(1, "regions", \.regions),
    ]
}
