/// One deployed service as the data plane serves it.
struct ServingEntry: Sendable {
    var workspace: String
    var service: String
    /// Runs its replicas and requests.
    var pool: ReplicaPool
    /// How its calls authenticate.
    var auth: ScoringAuth
    /// Its replicas' output; outlives a pool replaced by an update.
    var logs: ServiceLogBuffer
    /// Its deployment has `collect_model_data` on: the ``DataCollector`` keeps
    /// every request and answer.
    var collectsModelData: Bool

    /// `<workspace>/<service>`, the registry's key and `Health`'s name for it.
    var name: String { ServingRegistry.key(workspace: self.workspace, service: self.service) }

    init(workspace: String, service: String, pool: ReplicaPool, auth: ScoringAuth, logs: ServiceLogBuffer? = nil, collectsModelData: Bool = false) {
        self.workspace = workspace
        self.service = service
        self.pool = pool
        self.auth = auth
        self.logs = logs ?? pool.logs
        self.collectsModelData = collectsModelData
    }
}
