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
    ///
    /// Written byte by byte into one buffer: the writer encodes every record,
    /// on the cores scoring uses.
    func jsonLine() -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(
            224 + self.requestID.utf8.count + self.input.storedByteCount * 4 / 3 + self.output.storedByteCount * 4 / 3
        )
        Self.append("{\"time\":\"", to: &line)
        Self.appendISO8601(unixMs: self.timeUnixMs, to: &line)
        Self.append("\",\"request_id\":", to: &line)
        Self.appendQuoted(self.requestID, to: &line)
        Self.append(",\"workspace\":", to: &line)
        Self.appendQuoted(self.workspace, to: &line)
        Self.append(",\"service\":", to: &line)
        Self.appendQuoted(self.service, to: &line)
        Self.append(",\"version\":", to: &line)
        Self.appendQuoted(self.version, to: &line)
        Self.append(",\"replica\":", to: &line)
        Self.appendQuoted(self.replicaID, to: &line)
        Self.append(",\"status\":", to: &line)
        Self.appendQuoted(self.code.description, to: &line)
        Self.append(",\"http_status\":", to: &line)
        Self.appendInteger(Int64(self.httpStatus), to: &line)
        Self.append(",\"latency_us\":", to: &line)
        Self.appendInteger(self.latencyMicros, to: &line)
        Self.appendBody(",\"input\":", encoding: ",\"input_encoding\":", size: ",\"input_bytes\":", self.input, to: &line)
        Self.appendBody(",\"output\":", encoding: ",\"output_encoding\":", size: ",\"output_bytes\":", self.output, to: &line)
        Self.append("}\n", to: &line)
        return line
    }

    private static func append(_ text: StaticString, to line: inout [UInt8]) {
        line.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func appendInteger(_ value: Int64, to line: inout [UInt8]) {
        if value < 0 { line.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            line.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        }
    }

    private static func appendPadded(_ value: Int32, width: Int, to line: inout [UInt8]) {
        var divisor: Int32 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = max(0, value)
        while divisor > 0 {
            line.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func appendBody(
        _ key: StaticString, encoding: StaticString, size: StaticString, _ body: Body, to line: inout [UInt8]
    ) {
        Self.append(key, to: &line)
        switch body {
        case .omitted(let count):
            Self.append("null", to: &line)
            Self.append(encoding, to: &line)
            Self.append("\"omitted\"", to: &line)
            Self.append(size, to: &line)
            Self.appendInteger(Int64(count), to: &line)
        case .bytes(let bytes) where JSONSyntax.isValid(bytes):
            // Raw line breaks can only be whitespace in valid JSON, so spaces keep it valid and on one line.
            for byte in bytes { line.append(byte == 0x0A || byte == 0x0D ? 0x20 : byte) }
        case .bytes(let bytes):
            line.append(UInt8(ascii: "\""))
            line.append(contentsOf: Data(bytes).base64EncodedData())
            line.append(UInt8(ascii: "\""))
            Self.append(encoding, to: &line)
            Self.append("\"base64\"", to: &line)
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
        var bytes: [UInt8] = []
        Self.appendISO8601(unixMs: unixMs, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendISO8601(unixMs: Int64, to line: inout [UInt8]) {
        let parts = Self.utcParts(unixMs: unixMs)
        Self.appendPadded(parts.tm_year + 1900, width: 4, to: &line)
        line.append(UInt8(ascii: "-"))
        Self.appendPadded(parts.tm_mon + 1, width: 2, to: &line)
        line.append(UInt8(ascii: "-"))
        Self.appendPadded(parts.tm_mday, width: 2, to: &line)
        line.append(UInt8(ascii: "T"))
        Self.appendPadded(parts.tm_hour, width: 2, to: &line)
        line.append(UInt8(ascii: ":"))
        Self.appendPadded(parts.tm_min, width: 2, to: &line)
        line.append(UInt8(ascii: ":"))
        Self.appendPadded(parts.tm_sec, width: 2, to: &line)
        line.append(UInt8(ascii: "."))
        Self.appendPadded(Int32(((unixMs % 1000) + 1000) % 1000), width: 3, to: &line)
        line.append(UInt8(ascii: "Z"))
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
