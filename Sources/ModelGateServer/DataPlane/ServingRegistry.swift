internal import Synchronization

/// The services the data plane serves, by `<workspace>/<service>`: what the
/// scoring service reads on every request (a dictionary lookup under a short
/// lock, no database), and what the ``DeploymentController`` writes.
///
/// ```swift
/// registry.register(ServingEntry(workspace: "prod", service: "iris", pool: pool, auth: .keys(authenticator)))
/// let entry = registry.entry(workspace: "prod", service: "iris")
/// let removed = registry.remove(workspace: "prod", service: "iris")
/// await removed?.pool.stop()
/// ```
final class ServingRegistry: Sendable {
    private let services = Mutex<[String: ServingEntry]>([:])

    init() {}

    /// The registry's key for a service.
    static func key(workspace: String, service: String) -> String { "\(workspace)/\(service)" }

    /// Adds or replaces a service.
    ///
    /// - Returns: the entry it replaced, whose pool the caller stops.
    @discardableResult
    func register(_ entry: ServingEntry) -> ServingEntry? {
        self.services.withLock { $0.updateValue(entry, forKey: entry.name) }
    }

    /// Removes a service.
    ///
    /// - Returns: its entry, whose pool the caller stops.
    @discardableResult
    func remove(workspace: String, service: String) -> ServingEntry? {
        self.services.withLock { $0.removeValue(forKey: Self.key(workspace: workspace, service: service)) }
    }

    /// The service, if it is served.
    func entry(workspace: String, service: String) -> ServingEntry? {
        self.entry(named: Self.key(workspace: workspace, service: service))
    }

    /// The service named `<workspace>/<service>`, if it is served.
    func entry(named name: String) -> ServingEntry? {
        self.services.withLock { $0[name] }
    }

    /// Changes how a service authenticates (auth switched on or off by an update).
    ///
    /// - Returns: false if the service is not served.
    @discardableResult
    func setAuth(_ auth: ScoringAuth, workspace: String, service: String) -> Bool {
        self.services.withLock { services in
            let key = Self.key(workspace: workspace, service: service)
            guard services[key] != nil else { return false }
            services[key]?.auth = auth
            return true
        }
    }

    /// Every served service, by name.
    var entries: [ServingEntry] {
        self.services.withLock { Array($0.values) }.sorted { $0.name < $1.name }
    }
}
