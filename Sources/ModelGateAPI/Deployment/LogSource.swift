public import ModelGateWire

/// Which output a log line came from (`modelgate.v1.LogSource`).
public struct LogSource: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Unknown.
    public static let unspecified = LogSource(rawValue: 0)
    /// The replica's standard output.
    public static let stdout = LogSource(rawValue: 1)
    /// The replica's standard error.
    public static let stderr = LogSource(rawValue: 2)
    /// ModelGate itself: builds, probes, restarts, scaling.
    public static let system = LogSource(rawValue: 3)

    public static let protoName = "modelgate.v1.LogSource"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("LOG_SOURCE_UNSPECIFIED", 0),
        ("LOG_SOURCE_STDOUT", 1),
        ("LOG_SOURCE_STDERR", 2),
        ("LOG_SOURCE_SYSTEM", 3),
    ]
}
