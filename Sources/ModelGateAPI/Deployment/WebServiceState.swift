public import ModelGateWire

/// The state of a web service, endpoint or endpoint version, after Azure's (`modelgate.v1.WebServiceState`).
public struct WebServiceState: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Unknown.
    public static let unspecified = WebServiceState(rawValue: 0)
    /// Being deployed, updated or deleted.
    public static let transitioning = WebServiceState(rawValue: 1)
    /// Every desired replica is ready.
    public static let healthy = WebServiceState(rawValue: 2)
    /// Deployed, but some replicas are failing their probes or crashing.
    public static let unhealthy = WebServiceState(rawValue: 3)
    /// The deployment failed; the error says why.
    public static let failed = WebServiceState(rawValue: 4)
    /// The replicas do not fit in the compute target's free capacity.
    public static let unschedulable = WebServiceState(rawValue: 5)

    public static let protoName = "modelgate.v1.WebServiceState"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("WEB_SERVICE_STATE_UNSPECIFIED", 0),
        ("WEB_SERVICE_STATE_TRANSITIONING", 1),
        ("WEB_SERVICE_STATE_HEALTHY", 2),
        ("WEB_SERVICE_STATE_UNHEALTHY", 3),
        ("WEB_SERVICE_STATE_FAILED", 4),
        ("WEB_SERVICE_STATE_UNSCHEDULABLE", 5),
    ]
}
