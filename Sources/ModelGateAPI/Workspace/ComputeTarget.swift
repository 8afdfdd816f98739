public import ModelGateWire

/// A cluster (AKS) or serverless pool (ACI) attached to a workspace. Replicas are placed only within its
/// capacity; autoscaling never grows it (`modelgate.v1.ComputeTarget`).
public struct ComputeTarget: ProtoMessage {
    /// Name, unique in the workspace.
    public var name = ""
    /// The owning workspace's name.
    public var workspace = ""
    /// AKS or ACI.
    public var type = ComputeType.unspecified
    /// The region the compute runs in; may differ from the workspace's.
    public var region = ""
    /// What an AKS cluster is for; unused for ACI.
    public var purpose = ClusterPurpose.unspecified
    /// CPU cores the target offers.
    public var cpuCores: Double = 0
    /// Memory the target offers, in GiB.
    public var memoryGb: Double = 0
    /// GPUs the target offers.
    public var gpus: UInt32 = 0
    /// CPU cores requested by the replicas placed on it now.
    public var usedCpuCores: Double = 0
    /// Memory requested by the replicas placed on it now, in GiB.
    public var usedMemoryGb: Double = 0
    /// GPUs requested by the replicas placed on it now.
    public var usedGpus: UInt32 = 0
    /// Free text.
    public var description = ""
    /// Free-form key-value tags.
    public var tags: [String: String] = [:]
    /// When the target was attached, in Unix milliseconds.
    public var createdAtUnixMs: Int64 = 0
    /// Client id of the principal who attached it.
    public var createdBy = ""
    /// Replicas placed on it now, over all services.
    public var replicaCount: UInt32 = 0
    public var unknownFields = UnknownFields()
    public init() {}

    public static let protoName = "modelgate.v1.ComputeTarget"
    public static let fields: [ProtoField<Self>] = [
        .string(1, "name", \.name),
        .string(2, "workspace", \.workspace),
        .enumeration(3, "type", \.type),
        .string(4, "region", \.region),
        .enumeration(5, "purpose", \.purpose),
        .double(6, "cpu_cores", \.cpuCores),
        .double(7, "memory_gb", \.memoryGb),
        .uint32(8, "gpus", \.gpus),
        .double(9, "used_cpu_cores", \.usedCpuCores),
        .double(10, "used_memory_gb", \.usedMemoryGb),
        .uint32(11, "used_gpus", \.usedGpus),
        .string(12, "description", \.description),
        .map(13, "tags", \.tags),
        .int64(14, "created_at_unix_ms", \.createdAtUnixMs),
        .string(15, "created_by", \.createdBy),
        .uint32(16, "replica_count", \.replicaCount),
    ]
}
