internal import ModelGateAPI

/// Turns a rollout's steps and its pool's events into `DeploymentProgress`
/// events on the deployment's ``DeploymentProgressLog``.
struct DeploymentProgressReporter: Sendable {
    let log: DeploymentProgressLog
    let workspace: String
    let name: String
    let desiredReplicas: Int
    let clock: WallClock

    /// One step of the rollout, in state `Transitioning`.
    func report(
        _ phase: DeploymentPhase, _ message: String, cacheResult: EnvironmentCacheResult = .unspecified,
        environmentHash: String = "", bytes: (done: UInt64, total: UInt64)? = nil
    ) {
        var event = self.event(phase: phase, message: message, state: .transitioning)
        event.cacheResult = cacheResult
        event.environmentHash = environmentHash
        if let bytes {
            event.bytesDone = bytes.done
            event.bytesTotal = bytes.total
        }
        self.log.append(event)
    }

    /// One event of the pool: scheduled and started replicas, `init()` done, failures.
    func report(_ poolEvent: ReplicaPoolEvent) {
        let phase: DeploymentPhase = switch poolEvent.kind {
        case .replicaScheduled: .scheduling
        case .replicaReady: .replicasReady
        default: .replicasStarting
        }
        var event = self.event(phase: phase, message: poolEvent.message, state: .transitioning)
        event.timestampUnixMs = poolEvent.timestampUnixMs
        event.replicasReady = UInt32(clamping: poolEvent.readyReplicas)
        event.replicasDesired = UInt32(clamping: poolEvent.desiredReplicas)
        self.log.append(event)
    }

    /// The last event: the state the deployment ended in.
    func finish(state: WebServiceState, message: String, errorCode: StatusCode, ready: Int = 0) {
        var event = self.finalEvent(state: state, message: message, errorCode: errorCode)
        event.replicasReady = UInt32(clamping: ready)
        self.log.append(event)
    }

    func finalEvent(state: WebServiceState, message: String, errorCode: StatusCode) -> DeploymentProgress {
        var event = self.event(phase: .done, message: message, state: state)
        event.final = true
        event.errorCode = errorCode
        return event
    }

    private func event(phase: DeploymentPhase, message: String, state: WebServiceState) -> DeploymentProgress {
        var event = DeploymentProgress()
        event.workspace = self.workspace
        event.name = self.name
        event.phase = phase
        event.message = message
        event.timestampUnixMs = self.clock.now().millisecondsSince1970
        event.state = state
        event.replicasDesired = UInt32(clamping: self.desiredReplicas)
        return event
    }
}
