public import ModelGateWire

/// Health of one deployed web service or endpoint (`modelgate.v1.ServiceHealth`).
public struct ServiceHealth: ProtoMessage {
    /// "<workspace>/<service>".
    public var name = ""
    /// Whether it has at least one ready replica and accepts requests.
    public var status = ServingStatus.unspecified
    /// Why it is not serving, when it is not.
    public var message = ""
    /// The service's deployment state.
    public var state = WebServiceState.unspecified
    /// Live metrics: the first entry covers the whole endpoint (empty version), then one per version.
    public var metrics: [ServiceMetrics] = []
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ServiceHealth"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .enumeration(2, "status", \.status),
        .string(3, "message", \.message),
        .enumeration(4, "state", \.state),
        .repeatedMessage(5, "metrics", \.metrics),
    ]
}
