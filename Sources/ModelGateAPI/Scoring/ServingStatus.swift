public import ModelGateWire

/// Whether something is serving, with gRPC health checking's meaning (`modelgate.v1.ServingStatus`).
public struct ServingStatus: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Unknown, such as a service that does not exist.
    public static let unspecified = ServingStatus(rawValue: 0)
    /// Accepting and answering requests.
    public static let serving = ServingStatus(rawValue: 1)
    /// Not accepting requests, such as while shutting down or with no ready replica.
    public static let notServing = ServingStatus(rawValue: 2)

    public static let protoName = "modelgate.v1.ServingStatus"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("SERVING_STATUS_UNSPECIFIED", 0),
        ("SERVING_STATUS_SERVING", 1),
        ("SERVING_STATUS_NOT_SERVING", 2),
    ]
}
