public import ModelGateWire

/// Where a web service or endpoint runs, after Azure's compute types (`modelgate.v1.ComputeType`).
public struct ComputeType: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Not given; a deployment then takes the compute target's type.
    public static let unspecified = ComputeType(rawValue: 0)
    /// A cluster attached to a workspace (Azure Kubernetes Service): fixed capacity, autoscaling, endpoints
    /// with versions, key or token auth.
    public static let aks = ComputeType(rawValue: 1)
    /// Serverless containers (Azure Container Instances): one service per container group, no autoscaling, no
    /// token auth, key auth off by default.
    public static let aci = ComputeType(rawValue: 2)

    public static let protoName = "modelgate.v1.ComputeType"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("COMPUTE_TYPE_UNSPECIFIED", 0),
        ("COMPUTE_TYPE_AKS", 1),
        ("COMPUTE_TYPE_ACI", 2),
    ]
}
