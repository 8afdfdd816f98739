internal import NIOCore

/// Everything a ``ReplicaBackend`` needs to start one replica.
struct ReplicaLaunchSpec: Sendable {
    /// The replica's id, such as `r-2`; kept across restarts.
    var replicaID: String
    /// `<workspace>/<service>`, for the backend's own logs.
    var serviceName: String
    /// The endpoint version the replica runs; empty for a plain web service.
    var version: String
    var program: ReplicaProgram
    /// `replica_max_concurrent_requests`: `run()` calls at once.
    var maxConcurrentRequests: Int
    /// Largest frame payload either side sends on the replica connection.
    var maxFrameBytes: Int
    /// Where the replica's stdout and stderr lines go.
    var logs: ServiceLogBuffer
    /// The event loop the replica's connection should live on: its pool's,
    /// so that a request's SCORE, RESULT and hand-over stay on one thread
    /// (see ``EventLoopTaskExecutor``). Nil lets the backend choose.
    var eventLoop: (any EventLoop)? = nil
}
