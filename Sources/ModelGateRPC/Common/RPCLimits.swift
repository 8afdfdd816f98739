/// The limits one side of a connection enforces; each breach gets a clear
/// status or GO_AWAY, never a crash or unbounded buffering.
public struct RPCLimits: Sendable, Hashable {
    /// Largest frame payload (and so largest message), in bytes. Default 4 MiB.
    public var maxFrameSize: UInt32 = 4 * 1024 * 1024
    /// Most streams open at once on one connection; more are refused with
    /// `RESOURCE_EXHAUSTED`, never queued. Default 100.
    public var maxConcurrentStreams: Int = 100
    /// Largest CallHeaders payload, in bytes. Default 16 KiB.
    public var maxHeaderSize: UInt32 = 16 * 1024
    /// Flow-control credit each stream starts with, per direction, in bytes. Default 1 MiB.
    public var initialStreamWindow: UInt32 = 1024 * 1024
    /// Flow-control credit the connection starts with, per direction, in bytes. Default 16 MiB.
    public var initialConnectionWindow: UInt32 = 16 * 1024 * 1024
    /// A connection with no open stream for this long is closed with GO_AWAY. Default 5 minutes.
    public var idleTimeout: Duration = .seconds(300)
    /// A new connection must send its preface and first frame within this. Default 10 s.
    public var handshakeTimeout: Duration = .seconds(10)
    /// Streams a peer may cancel per second before the connection is closed
    /// (the HTTP/2 "rapid reset" defence). Default 200.
    public var maxCancellationsPerSecond: Int = 200
    /// Control frames (PING, SETTINGS, WINDOW_UPDATE on stream 0) per second
    /// before the connection is closed. Default 1000.
    public var maxControlFramesPerSecond: Int = 1000

    public init() {}
}
