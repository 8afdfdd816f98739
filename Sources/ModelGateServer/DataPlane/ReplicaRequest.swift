internal import NIOCore

/// One request for a replica's `run()`, as a SCORE frame carries it.
///
/// The fields mirror the SCORE meta of the runtime's `PROTOCOL.md`; the
/// harness turns them into the HTTP request Azure's inference server would
/// have seen.
struct ReplicaRequest: Sendable {
    /// What `run(raw_data)` receives (decoded as UTF-8 by the harness).
    var body: [UInt8]
    /// Request headers, lower-case names; `content-type` matters to schema scripts.
    var headers: [String: String] = [:]
    /// `POST` unless a `@rawhttp` caller chose otherwise.
    var method: String = "POST"
    /// The path a `@rawhttp` script sees.
    var path: String = "/score"
    /// The URL query without `?`.
    var query: String = ""
    /// Becomes `x-request-id` and friends, at most 100 characters; empty lets the replica make one.
    var requestID: String = ""
    /// The scoring timeout the replica enforces from when `run()` starts; nil for none.
    /// ``ReplicaPool`` fills it in from its configuration.
    var timeout: Duration?

    init(body: [UInt8], headers: [String: String] = [:], method: String = "POST", path: String = "/score", query: String = "", requestID: String = "") {
        self.body = body
        self.headers = headers
        self.method = method
        self.path = path
        self.query = query
        self.requestID = requestID
    }

    /// The SCORE payload: a 4-byte big-endian meta length, the JSON meta, the body.
    func writePayload(to buffer: inout ByteBuffer) {
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        let metaStart = buffer.writerIndex
        buffer.writeStaticString("{\"method\":")
        buffer.writeJSONString(self.method)
        buffer.writeStaticString(",\"path\":")
        buffer.writeJSONString(self.path)
        if !self.query.isEmpty {
            buffer.writeStaticString(",\"query\":")
            buffer.writeJSONString(self.query)
        }
        if !self.requestID.isEmpty {
            buffer.writeStaticString(",\"request_id\":")
            buffer.writeJSONString(self.requestID)
        }
        if let timeout = self.timeout {
            let milliseconds = max(1, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            buffer.writeStaticString(",\"timeout_ms\":")
            buffer.writeString(String(milliseconds))
        }
        buffer.writeStaticString(",\"headers\":{")
        var first = true
        for (name, value) in self.headers {
            if !first { buffer.writeStaticString(",") }
            first = false
            buffer.writeJSONString(name)
            buffer.writeStaticString(":")
            buffer.writeJSONString(value)
        }
        buffer.writeStaticString("}}")
        buffer.setInteger(UInt32(buffer.writerIndex - metaStart), at: lengthIndex)
        buffer.writeBytes(self.body)
    }
}

extension ByteBuffer {
    /// Writes `string` as a JSON string literal (quotes and escapes included).
    fileprivate mutating func writeJSONString(_ string: String) {
        self.writeStaticString("\"")
        let utf8 = string.utf8
        // Most header values need no escaping: write them in one go.
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            self.writeString(string)
        } else {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): self.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): self.writeStaticString("\\\\")
                case UInt8(ascii: "\n"): self.writeStaticString("\\n")
                case UInt8(ascii: "\r"): self.writeStaticString("\\r")
                case UInt8(ascii: "\t"): self.writeStaticString("\\t")
                case 0..<0x20:
                    let hex = String(byte, radix: 16)
                    self.writeString("\\u00" + (hex.count == 1 ? "0" + hex : hex))
                default: self.writeInteger(byte)
                }
            }
        }
        self.writeStaticString("\"")
    }
}
