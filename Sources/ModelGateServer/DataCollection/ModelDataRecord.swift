internal import Foundation
internal import ModelGateAPI
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One scoring request and its answer, as data collection keeps it.
///
/// The request path only fills this in (no encoding, no I/O); the
/// ``DataCollector``'s writer turns it into one JSON line with ``jsonLine()``.
struct ModelDataRecord: Sendable {
    /// When the request finished, in Unix milliseconds (names the file's UTC day).
    var timeUnixMs: Int64
    var requestID: String
    var workspace: String
    var service: String
    /// The endpoint version that answered; empty for a web service.
    var version: String
    var replicaID: String
    var code: StatusCode
    /// The HTTP status `run()` answered with; 0 when no replica answered.
    var httpStatus: Int
    var latencyMicros: Int64
    var input: Body
    var output: Body

    /// A request or response body, or the size of one too large to keep.
    enum Body: Sendable, Equatable {
        case bytes([UInt8])
        /// Over ``DataCollector/Configuration/maxBodyBytes``: only its size is kept.
        case omitted(byteCount: Int)

        /// `bytes`, unless there are more than `limit` of them.
        init(_ bytes: [UInt8], limit: Int) {
            self = bytes.count > limit ? .omitted(byteCount: bytes.count) : .bytes(bytes)
        }

        /// The bytes held in memory.
        var storedByteCount: Int {
            if case .bytes(let bytes) = self { return bytes.count }
            return 0
        }
    }

    /// What the record costs the buffer: its bodies and a fixed allowance for the rest.
    var bufferedByteCount: Int {
        256 + self.input.storedByteCount + self.output.storedByteCount + self.requestID.utf8.count
    }

    /// The directory's version segment: the version, or `default` for a web service.
    var versionSegment: String { self.version.isEmpty ? "default" : self.version }

    /// The UTC day the record belongs to, `yyyy-mm-dd`.
    var day: String { Self.utcDay(unixMs: self.timeUnixMs) }

    /// The record as one JSON object on one line, newline included.
    ///
    /// Keys: `time` (ISO-8601 UTC with milliseconds), `request_id`, `workspace`,
    /// `service`, `version`, `replica`, `status` (the code's gRPC name, such as
    /// `OK`), `http_status`, `latency_us`, `input` and `output`. A body that is
    /// JSON is embedded as it is (its line breaks, which JSON allows only as
    /// whitespace, become spaces); any other body is base64 with
    /// `input_encoding`/`output_encoding` set to `base64`; an omitted one is
    /// `null` with the encoding `omitted` and its size in `input_bytes`/`output_bytes`.
    func jsonLine() -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(192 + self.input.storedByteCount * 4 / 3 + self.output.storedByteCount * 4 / 3)
        line.append(contentsOf: #"{"time":""#.utf8)
        line.append(contentsOf: Self.iso8601(unixMs: self.timeUnixMs).utf8)
        line.append(UInt8(ascii: "\""))
        Self.appendField("request_id", string: self.requestID, to: &line)
        Self.appendField("workspace", string: self.workspace, to: &line)
        Self.appendField("service", string: self.service, to: &line)
        Self.appendField("version", string: self.version, to: &line)
        Self.appendField("replica", string: self.replicaID, to: &line)
        Self.appendField("status", string: self.code.description, to: &line)
        line.append(contentsOf: ",\"http_status\":\(self.httpStatus),\"latency_us\":\(self.latencyMicros)".utf8)
        Self.appendBody("input", self.input, to: &line)
        Self.appendBody("output", self.output, to: &line)
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    private static func appendField(_ key: String, string value: String, to line: inout [UInt8]) {
        line.append(contentsOf: ",\"\(key)\":".utf8)
        Self.appendQuoted(value, to: &line)
    }

    private static func appendBody(_ key: String, _ body: Body, to line: inout [UInt8]) {
        line.append(contentsOf: ",\"\(key)\":".utf8)
        switch body {
        case .omitted(let count):
            line.append(contentsOf: "null,\"\(key)_encoding\":\"omitted\",\"\(key)_bytes\":\(count)".utf8)
        case .bytes(let bytes) where Self.isJSON(bytes):
            // Raw line breaks can only be whitespace in valid JSON, so spaces keep it valid and on one line.
            line.append(contentsOf: bytes.lazy.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 })
        case .bytes(let bytes):
            line.append(UInt8(ascii: "\""))
            line.append(contentsOf: Data(bytes).base64EncodedString().utf8)
            line.append(contentsOf: "\",\"\(key)_encoding\":\"base64\"".utf8)
        }
    }

    /// Whether `bytes` is one complete JSON value (objects, arrays and scalars alike).
    static func isJSON(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return false }
        // Cheap refusals first: most non-JSON bodies (CSV, images) fail on the first byte.
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            return (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
        default:
            return false
        }
    }

    /// `value` as a JSON string literal.
    static func appendQuoted(_ value: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): line.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): line.append(contentsOf: #"\\"#.utf8)
            case 0x0A: line.append(contentsOf: #"\n"#.utf8)
            case 0x0D: line.append(contentsOf: #"\r"#.utf8)
            case 0x09: line.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20:
                let hex = String(byte, radix: 16)
                line.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    /// `2026-11-21T09:41:07.123Z`.
    static func iso8601(unixMs: Int64) -> String {
        let parts = Self.utcParts(unixMs: unixMs)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let milliseconds = Int32(((unixMs % 1000) + 1000) % 1000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(milliseconds, 3))Z"
    }

    /// `2026-11-21`: the UTC day of an instant.
    static func utcDay(unixMs: Int64) -> String {
        String(Self.iso8601(unixMs: unixMs).prefix(10))
    }

    private static func utcParts(unixMs: Int64) -> tm {
        var seconds = time_t(unixMs >= 0 ? unixMs / 1000 : (unixMs - 999) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }
}
