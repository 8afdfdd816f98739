public import Foundation

/// An attached compute target as stored: a cluster with a region, a purpose and a capacity.
public struct ComputeRecord: Sendable, Hashable {
    /// Where replicas run, after Azure's compute types.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A cluster attached to a workspace, with a fixed capacity.
        case aks = "AKS"
        /// Serverless containers; needs no attachment, so never stored today.
        case aci = "ACI"
    }

    /// What a cluster is for, after Azure's `cluster_purpose`.
    public enum Purpose: String, Sendable, Hashable, CaseIterable {
        /// Production: the router scales with the cluster. Azure's default.
        case fastProd = "FastProd"
        /// Development and testing.
        case devTest = "DevTest"
    }

    public var workspace: String
    /// Unique in the workspace, case-insensitively.
    public var name: String
    public var kind: Kind
    /// Where it runs; may differ from the workspace's region.
    public var region: String
    public var purpose: Purpose
    /// The capacity replicas are placed in; autoscaling never grows it.
    public var cpuCores: Double
    public var memoryGB: Double
    public var gpus: Int
    public var description: String
    public var tags: [String: String]
    public var createdBy: String
    public var createdAt: Date

    public init(
        workspace: String, name: String, kind: Kind = .aks, region: String, purpose: Purpose = .fastProd,
        cpuCores: Double, memoryGB: Double, gpus: Int = 0, description: String = "", tags: [String: String] = [:],
        createdBy: String, createdAt: Date
    ) {
        self.workspace = workspace
        self.name = name
        self.kind = kind
        self.region = region
        self.purpose = purpose
        self.cpuCores = cpuCores
        self.memoryGB = memoryGB
        self.gpus = gpus
        self.description = description
        self.tags = tags
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}
