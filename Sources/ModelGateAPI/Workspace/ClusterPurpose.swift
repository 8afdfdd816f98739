public import ModelGateWire

/// What an AKS cluster is for, after Azure's cluster_purpose (`modelgate.v1.ClusterPurpose`).
public struct ClusterPurpose: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Not given; FAST_PROD is used.
    public static let unspecified = ClusterPurpose(rawValue: 0)
    /// Production: the router scales with the cluster.
    public static let fastProd = ClusterPurpose(rawValue: 1)
    /// Development and testing: smaller, the router's self-scaling is off.
    public static let devTest = ClusterPurpose(rawValue: 2)

    public static let protoName = "modelgate.v1.ClusterPurpose"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("CLUSTER_PURPOSE_UNSPECIFIED", 0),
        ("CLUSTER_PURPOSE_FAST_PROD", 1),
        ("CLUSTER_PURPOSE_DEV_TEST", 2),
    ]
}
