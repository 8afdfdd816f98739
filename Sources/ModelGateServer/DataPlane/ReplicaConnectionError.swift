/// Why a call on a ``ReplicaConnection`` got no answer.
enum ReplicaConnectionError: Error, CustomStringConvertible {
    /// The connection closed (the replica exited, or broke the protocol) before the answer.
    case closed(reason: String)
    /// No RESULT within the time allowed; CANCEL was sent.
    case timedOut(after: Duration)
    /// No PING acknowledgement within the time allowed.
    case pingTimedOut(after: Duration)
    /// The replica has not said READY (it sent INIT_FAILED, or nothing yet).
    case notReady

    var description: String {
        switch self {
        case .closed(let reason): reason
        case .timedOut(let after): "no result within \(after)"
        case .pingTimedOut(let after): "no answer to PING within \(after)"
        case .notReady: "the replica is not ready"
        }
    }
}
