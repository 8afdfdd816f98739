public import Foundation
public import ModelGateAPI

/// An endpoint as stored: its endpoint-wide settings and keys, and its
/// versions in creation order.
///
/// The configurations are kept as their protobuf encodings (as for
/// ``ServiceRecord``), so a field added to the contract needs no migration.
public struct EndpointRecord: Sendable, Hashable {
    public var workspace: String
    public var name: String
    /// Endpoint-wide settings (compute target, auth, autoscaling, queueing),
    /// defaults filled in, keys cleared (they are the key columns).
    public var deploymentConfig: DeploymentConfig
    public var primaryKey: String
    public var secondaryKey: String
    public var description: String
    public var tags: [String: String]
    public var properties: [String: String]
    /// Counts changes to the endpoint and its versions.
    public var generation: Int
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    /// In creation order; exactly one is the default.
    public var versions: [EndpointVersionRecord]

    public init(
        workspace: String, name: String, deploymentConfig: DeploymentConfig, primaryKey: String, secondaryKey: String,
        description: String = "", tags: [String: String] = [:], properties: [String: String] = [:], generation: Int = 1,
        createdBy: String = "", createdAt: Date, updatedAt: Date, versions: [EndpointVersionRecord] = []
    ) {
        self.workspace = workspace
        self.name = name
        self.deploymentConfig = deploymentConfig
        self.primaryKey = primaryKey
        self.secondaryKey = secondaryKey
        self.description = description
        self.tags = tags
        self.properties = properties
        self.generation = generation
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.versions = versions
    }

    /// The AKS cluster it runs on.
    public var computeTarget: String { self.deploymentConfig.computeTargetName }

    /// The default version: the one marked, else the first.
    public var defaultVersion: EndpointVersionRecord? { self.versions.first(where: \.isDefault) ?? self.versions.first }

    /// The index of the version named `name` (any case).
    public func index(of name: String) -> Int? {
        self.versions.firstIndex { $0.name.lowercased() == name.lowercased() }
    }
}

/// One endpoint version as stored.
public struct EndpointVersionRecord: Sendable, Hashable {
    public var name: String
    /// 0-100.
    public var trafficPercentile: Double
    public var isDefault: Bool
    /// Control or treatment (never unspecified once stored).
    public var versionType: EndpointVersionType
    /// Resolved, as `name:version`.
    public var models: [String]
    /// With the archive moved to the blob store.
    public var inferenceConfig: InferenceConfig
    /// The per-version settings (cpu, memory, GPUs, probes, timeouts) as given.
    public var deploymentConfig: DeploymentConfig
    public var description: String
    public var tags: [String: String]
    public var properties: [String: String]
    /// Counts rollouts of this version's code; names its replicas (`v2-r3-1`).
    public var generation: Int
    /// How its latest rollout ended (`Transitioning` while it runs).
    public var state: WebServiceState
    public var error: String
    public var errorCode: StatusCode
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: String, trafficPercentile: Double, isDefault: Bool, versionType: EndpointVersionType, models: [String],
        inferenceConfig: InferenceConfig, deploymentConfig: DeploymentConfig, description: String = "",
        tags: [String: String] = [:], properties: [String: String] = [:], generation: Int = 1,
        state: WebServiceState = .transitioning, error: String = "", errorCode: StatusCode = .ok, createdAt: Date, updatedAt: Date
    ) {
        self.name = name
        self.trafficPercentile = trafficPercentile
        self.isDefault = isDefault
        self.versionType = versionType
        self.models = models
        self.inferenceConfig = inferenceConfig
        self.deploymentConfig = deploymentConfig
        self.description = description
        self.tags = tags
        self.properties = properties
        self.generation = generation
        self.state = state
        self.error = error
        self.errorCode = errorCode
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
