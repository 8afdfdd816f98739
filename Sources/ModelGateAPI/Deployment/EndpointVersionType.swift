public import ModelGateWire

/// The role of an endpoint version in a controlled rollout (`modelgate.v1.EndpointVersionType`).
public struct EndpointVersionType: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Not given; TREATMENT is used.
    public static let unspecified = EndpointVersionType(rawValue: 0)
    /// The version the others are compared with; at most one per endpoint.
    public static let control = EndpointVersionType(rawValue: 1)
    /// A candidate version.
    public static let treatment = EndpointVersionType(rawValue: 2)

    public static let protoName = "modelgate.v1.EndpointVersionType"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("ENDPOINT_VERSION_TYPE_UNSPECIFIED", 0),
        ("ENDPOINT_VERSION_TYPE_CONTROL", 1),
        ("ENDPOINT_VERSION_TYPE_TREATMENT", 2),
    ]
}
