public import Logging

/// What a handler knows about the call it serves.
public struct ServerCallContext: Sendable {
    /// The full method name.
    public var method: String
    /// The call's metadata, lower-case keys (`authorization`, ...).
    public var metadata: [String: String]
    /// The caller's request id, or one the server made.
    public var requestID: String
    /// When the caller stops waiting; the transport cancels the handler then.
    public var deadline: ContinuousClock.Instant?
    /// The remote address, for logs.
    public var peer: String
    /// A logger carrying `rpc.method` and `request.id`.
    public var logger: Logger

    public init(
        method: String, metadata: [String: String], requestID: String,
        deadline: ContinuousClock.Instant?, peer: String, logger: Logger
    ) {
        self.method = method
        self.metadata = metadata
        self.requestID = requestID
        self.deadline = deadline
        self.peer = peer
        self.logger = logger
    }
}
