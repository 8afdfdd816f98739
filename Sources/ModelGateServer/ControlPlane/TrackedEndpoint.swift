internal import ModelGateAPI

/// One endpoint as the ``DeploymentController`` knows it: its desired state,
/// what serves it now, and the rollouts of its versions.
struct TrackedEndpoint {
    var record: EndpointRecord
    /// Shared by every version, so keys are the endpoint's.
    let keys: KeyAuthenticator
    /// Every version's replicas' output (each line names its version).
    let logs: ServiceLogBuffer
    /// The progress of the changes rolling out now; one log spans rollouts
    /// that overlap, and its final event comes when the last one ends.
    var progress: DeploymentProgressLog
    /// The shared pool: the versions' replica pools and the routing table.
    let pool: EndpointPool
    /// The ready pool of each version, by lower-cased version name; what the
    /// routing table is built from (``DeploymentController/publishRoutes(key:)``).
    var serving: [String: ReplicaPool] = [:]
    /// The rollout of each version being (re)deployed, by lower-cased version name.
    var rollouts: [String: Task<Void, Never>] = [:]

    init(record: EndpointRecord, keys: ServiceKeys, clock: WallClock) {
        self.record = record
        let name = ServingRegistry.key(workspace: record.workspace, service: record.name)
        self.keys = KeyAuthenticator(serviceName: name, keys: keys)
        self.logs = ServiceLogBuffer(clock: clock)
        self.progress = DeploymentProgressLog()
        self.pool = EndpointPool(name: name)
        self.pool.setTarget(DeploymentDefaults.initialReplicas(record.deploymentConfig))
    }
}
