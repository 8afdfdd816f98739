public import ModelGateWire

/// Request of AttachCompute (`modelgate.v1.AttachComputeRequest`).
public struct AttachComputeRequest: ProtoMessage {
    /// The workspace's name.
    public var workspace = ""
    /// The new compute target's name.
    public var name = ""
    /// AKS or ACI.
    public var type = ComputeType.unspecified
    /// The region it runs in; empty means the workspace's region.
    public var region = ""
    /// What an AKS cluster is for.
    public var purpose = ClusterPurpose.unspecified
    /// CPU cores it offers; must be positive for AKS.
    public var cpuCores: Double = 0
    /// Memory it offers in GiB; must be positive for AKS.
    public var memoryGb: Double = 0
    /// GPUs it offers.
    public var gpus: UInt32 = 0
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.AttachComputeRequest"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "workspace", \.workspace),
        .string(2, "name", \.name),
        .enumeration(3, "type", \.type),
        .string(4, "region", \.region),
        .enumeration(5, "purpose", \.purpose),
        .double(6, "cpu_cores", \.cpuCores),
        .double(7, "memory_gb", \.memoryGb),
        .uint32(8, "gpus", \.gpus),
        .string(9, "description", \.description),
        .map(10, "tags", \.tags),
    ]
}
