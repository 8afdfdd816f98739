internal import ModelGateAPI
internal import NIOCore

/// A replica's answer to one request: a RESULT frame's meta and body.
///
/// A `run()` that raised is still a response (status 500, ``error`` set): the
/// replica answered. ``ReplicaPool`` throws only when there was no answer.
struct ReplicaResponse: Sendable {
    /// The HTTP status Azure's server would have answered.
    var status: Int
    /// Response headers (`content-type`, `x-ms-run-fn-exec-ms`, ...).
    var headers: [String: String]
    /// The response body: `run()`'s JSON, or Azure's error JSON.
    var body: [UInt8]
    /// Nil on success; else what went wrong, such as `"ValueError: bad input"`.
    var error: String?
    /// Time spent in `run()`, in milliseconds.
    var runMilliseconds: Double
    /// True when this is the replica's scoring-timeout answer.
    var timedOut: Bool
    /// The replica that answered.
    var replicaID: String = ""
    /// How long the request waited for a free replica; filled in by ``ReplicaPool``.
    var queueWait: Duration = .zero

    /// Decodes a RESULT payload.
    ///
    /// - Throws: ``ReplicaProtocolError`` when the meta length overruns the
    ///   payload or the meta is not the JSON object the protocol describes.
    init(resultPayload payload: ByteBuffer) throws {
        var payload = payload
        guard let metaLength = payload.readInteger(as: UInt32.self) else {
            throw ReplicaProtocolError("RESULT payload of \(payload.readableBytes) bytes is too short for the 4-byte meta length")
        }
        guard let metaBytes = payload.readSlice(length: Int(metaLength)) else {
            throw ReplicaProtocolError("RESULT meta length \(metaLength) overruns the payload")
        }
        let meta = try metaBytes.withUnsafeReadableBytes { bytes throws(ReplicaProtocolError) in
            try ReplicaResultMeta(parsing: bytes)
        }
        self.status = meta.status
        self.headers = meta.headers ?? [:]
        self.error = meta.error
        self.runMilliseconds = meta.runMilliseconds ?? 0
        self.timedOut = meta.timedOut ?? false
        self.body = payload.readBytes(length: payload.readableBytes) ?? []
    }

    init(status: Int, headers: [String: String] = [:], body: [UInt8], error: String? = nil, runMilliseconds: Double = 0, timedOut: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.error = error
        self.runMilliseconds = runMilliseconds
        self.timedOut = timedOut
    }

    /// The status a caller gets for this answer: nil when `run()` answered
    /// (whatever HTTP status a `@rawhttp` script chose), else:
    ///
    /// - the scoring timeout: `DEADLINE_EXCEEDED`;
    /// - input Azure's server refuses before `run()` (400, 405, 415, 431): `INVALID_ARGUMENT`;
    /// - a draining replica (503): `UNAVAILABLE`;
    /// - `run()` raised, or its result cannot be serialised: `INTERNAL` with the
    ///   exception's line (its traceback is in the service's logs).
    func failure(serviceName: String) -> RPCError? {
        guard let error = self.error else { return nil }
        if self.timedOut {
            return RPCError(code: .deadlineExceeded, message: "run() did not finish within scoring_timeout_ms on replica \(self.replicaID) (\(error))")
        }
        switch self.status {
        case 503:
            return RPCError(code: .unavailable, message: "replica \(self.replicaID) of service '\(serviceName)' is shutting down: \(error)")
        case 400..<500:
            return RPCError(code: .invalidArgument, message: "service '\(serviceName)' refused the request (HTTP \(self.status)): \(error)")
        default:
            return RPCError(code: .internal, message: "run() failed on replica \(self.replicaID): \(error)")
        }
    }
}
