/// One deployed service or endpoint as the data plane serves it.
///
/// A web service is an endpoint with one version: both are served through an
/// ``EndpointPool``, which picks the version (and so the ``ReplicaPool``) of
/// each request.
struct ServingEntry: Sendable {
    var workspace: String
    var service: String
    /// Its versions' pools and the routing table between them.
    var endpoint: EndpointPool
    /// How its calls authenticate.
    var auth: ScoringAuth
    /// Its replicas' output; outlives a pool replaced by an update.
    var logs: ServiceLogBuffer
    /// Its deployment has `collect_model_data` on: the ``DataCollector`` keeps
    /// every request and answer.
    var collectsModelData: Bool

    /// `<workspace>/<service>`, the registry's key and `Health`'s name for it.
    var name: String { ServingRegistry.key(workspace: self.workspace, service: self.service) }

    /// The default version's pool: a web service's one pool.
    var pool: ReplicaPool? { self.endpoint.primaryPool }

    /// Every pool in the routing table, which the caller stops when the entry is removed.
    var pools: [ReplicaPool] { self.endpoint.table.routes.map(\.pool) }

    init(
        workspace: String, service: String, endpoint: EndpointPool, auth: ScoringAuth, logs: ServiceLogBuffer,
        collectsModelData: Bool = false
    ) {
        self.workspace = workspace
        self.service = service
        self.endpoint = endpoint
        self.auth = auth
        self.logs = logs
        self.collectsModelData = collectsModelData
    }

    /// A web service: one pool taking all its traffic.
    init(
        workspace: String, service: String, pool: ReplicaPool, auth: ScoringAuth, logs: ServiceLogBuffer? = nil,
        collectsModelData: Bool = false
    ) {
        self.init(
            workspace: workspace, service: service,
            endpoint: EndpointPool(name: ServingRegistry.key(workspace: workspace, service: service), pool: pool),
            auth: auth, logs: logs ?? pool.logs, collectsModelData: collectsModelData
        )
    }
}
