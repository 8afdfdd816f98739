/// The type byte of a frame on a replica connection (see the runtime's `PROTOCOL.md`).
///
/// The header is the client protocol's, but the set of types differs: CANCEL,
/// PING and GOAWAY keep their client-protocol numbers, and the replica-only
/// types are 0x10-0x13. ``ReplicaFrameDecoder`` checks them itself instead of
/// using `FrameHeader.parse`, which treats types above 8 as unknown.
struct ReplicaFrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    var rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Server → replica: the result of this request is no longer wanted.
    static let cancel = ReplicaFrameType(rawValue: 0x04)
    /// Either way: liveness probe, answered with the ACK flag and the same 8 bytes.
    static let ping = ReplicaFrameType(rawValue: 0x06)
    /// Server → replica: finish the requests in flight, then exit.
    static let goAway = ReplicaFrameType(rawValue: 0x07)
    /// Replica → server: `init()` succeeded; JSON with the replica's facts.
    static let ready = ReplicaFrameType(rawValue: 0x10)
    /// Replica → server: the script failed to import or `init()` raised; JSON with the traceback.
    static let initFailed = ReplicaFrameType(rawValue: 0x11)
    /// Server → replica: one request (meta and body).
    static let score = ReplicaFrameType(rawValue: 0x12)
    /// Replica → server: the answer to one SCORE (meta and body).
    static let result = ReplicaFrameType(rawValue: 0x13)

    /// Whether a replica may send this type.
    var isSentByReplica: Bool {
        self == .ready || self == .initFailed || self == .result || self == .ping
    }

    var description: String {
        switch self {
        case .cancel: "CANCEL"
        case .ping: "PING"
        case .goAway: "GOAWAY"
        case .ready: "READY"
        case .initFailed: "INIT_FAILED"
        case .score: "SCORE"
        case .result: "RESULT"
        default: "UNKNOWN(0x\(String(self.rawValue, radix: 16)))"
        }
    }
}
