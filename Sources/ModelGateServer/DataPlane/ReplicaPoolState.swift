internal import ModelGateAPI

/// The health of a ``ReplicaPool``, as Azure reports a web service's state.
enum ReplicaPoolState: Sendable, Hashable, CustomStringConvertible {
    /// Replicas are starting and none has crashed; requests wait for them.
    case transitioning
    /// Every desired replica is ready.
    case healthy
    /// Deployed, but a replica has crashed or failed its liveness probe and is
    /// being restarted; the others keep serving.
    case unhealthy
    /// The deployment failed (the script failed to import, `init()` raised, a
    /// replica could not start); nothing runs. Final.
    case failed
    /// ``ReplicaPool/stop()`` is draining it.
    case stopping
    /// Every replica has stopped. Final.
    case stopped

    /// The wire state; stopping and stopped are a service being deleted.
    var webServiceState: WebServiceState {
        switch self {
        case .transitioning, .stopping, .stopped: .transitioning
        case .healthy: .healthy
        case .unhealthy: .unhealthy
        case .failed: .failed
        }
    }

    var description: String {
        switch self {
        case .transitioning: "Transitioning"
        case .healthy: "Healthy"
        case .unhealthy: "Unhealthy"
        case .failed: "Failed"
        case .stopping: "Stopping"
        case .stopped: "Stopped"
        }
    }
}
