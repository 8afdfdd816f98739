public import ModelGateWire

/// gRPC's canonical status codes (`modelgate.v1.StatusCode`), with gRPC's numbers.
public struct StatusCode: ProtoEnum, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = StatusCode(rawValue: 0)
    public static let cancelled = StatusCode(rawValue: 1)
    public static let unknown = StatusCode(rawValue: 2)
    public static let invalidArgument = StatusCode(rawValue: 3)
    public static let deadlineExceeded = StatusCode(rawValue: 4)
    public static let notFound = StatusCode(rawValue: 5)
    public static let alreadyExists = StatusCode(rawValue: 6)
    public static let permissionDenied = StatusCode(rawValue: 7)
    public static let resourceExhausted = StatusCode(rawValue: 8)
    public static let failedPrecondition = StatusCode(rawValue: 9)
    public static let aborted = StatusCode(rawValue: 10)
    public static let outOfRange = StatusCode(rawValue: 11)
    public static let unimplemented = StatusCode(rawValue: 12)
    public static let `internal` = StatusCode(rawValue: 13)
    public static let unavailable = StatusCode(rawValue: 14)
    public static let dataLoss = StatusCode(rawValue: 15)
    public static let unauthenticated = StatusCode(rawValue: 16)

    public static let protoName = "modelgate.v1.StatusCode"
    public static let knownValues: [(name: String, value: Int32)] = [
        ("STATUS_CODE_OK", 0), ("STATUS_CODE_CANCELLED", 1), ("STATUS_CODE_UNKNOWN", 2),
        ("STATUS_CODE_INVALID_ARGUMENT", 3), ("STATUS_CODE_DEADLINE_EXCEEDED", 4), ("STATUS_CODE_NOT_FOUND", 5),
        ("STATUS_CODE_ALREADY_EXISTS", 6), ("STATUS_CODE_PERMISSION_DENIED", 7), ("STATUS_CODE_RESOURCE_EXHAUSTED", 8),
        ("STATUS_CODE_FAILED_PRECONDITION", 9), ("STATUS_CODE_ABORTED", 10), ("STATUS_CODE_OUT_OF_RANGE", 11),
        ("STATUS_CODE_UNIMPLEMENTED", 12), ("STATUS_CODE_INTERNAL", 13), ("STATUS_CODE_UNAVAILABLE", 14),
        ("STATUS_CODE_DATA_LOSS", 15), ("STATUS_CODE_UNAUTHENTICATED", 16),
    ]

    /// gRPC's spelling, such as `UNAVAILABLE`, as printed by the CLI.
    public var description: String {
        let name = self.protoValueName
        return name.hasPrefix("STATUS_CODE_") ? String(name.dropFirst("STATUS_CODE_".count)) : name
    }
}
