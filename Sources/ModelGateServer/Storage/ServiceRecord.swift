public import Foundation
public import ModelGateAPI

/// A web service as stored: its desired state (what to run and how), its
/// keys, and the outcome of its latest deployment.
///
/// The inference and deployment configurations are kept as their protobuf
/// encodings, so a field added to the contract is stored without a migration.
/// The source archive is not in the row: ``inferenceConfig`` names it by
/// `source_archive_ref` in the blob store.
public struct ServiceRecord: Sendable, Hashable {
    public var workspace: String
    public var name: String
    /// The resolved models, as `name:version`.
    public var models: [String]
    /// With the archive's bytes moved to the blob store (`source_archive_ref` set).
    public var inferenceConfig: InferenceConfig
    /// With every default filled in and the keys cleared (they are ``keys``).
    public var deploymentConfig: DeploymentConfig
    public var primaryKey: String
    public var secondaryKey: String
    /// The state the latest deployment ended in (or `Transitioning` while it runs).
    public var state: WebServiceState
    public var error: String
    public var errorCode: StatusCode
    /// Counts deploys and updates; names the replicas of each rollout.
    public var generation: Int
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        workspace: String, name: String, models: [String], inferenceConfig: InferenceConfig,
        deploymentConfig: DeploymentConfig, primaryKey: String, secondaryKey: String,
        state: WebServiceState = .transitioning, error: String = "", errorCode: StatusCode = .ok,
        generation: Int = 1, createdBy: String = "", createdAt: Date, updatedAt: Date
    ) {
        self.workspace = workspace
        self.name = name
        self.models = models
        self.inferenceConfig = inferenceConfig
        self.deploymentConfig = deploymentConfig
        self.primaryKey = primaryKey
        self.secondaryKey = secondaryKey
        self.state = state
        self.error = error
        self.errorCode = errorCode
        self.generation = generation
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The compute target's name; empty on ACI.
    public var computeTarget: String { self.deploymentConfig.computeTargetName }
}
