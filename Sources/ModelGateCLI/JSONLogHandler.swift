internal import Foundation
public import Logging
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A swift-log handler that writes one JSON object per line to standard
/// error, for `modelgate serve --log-format json` (swift-log ships only the
/// text `StreamLogHandler`).
///
/// Each line has `time` (ISO-8601 UTC with milliseconds), `level`, `label`
/// and `message`, then the metadata flattened to top-level keys: the handler's,
/// then the logger's, then the call's (a later value wins), a nested
/// dictionary as dotted keys (`a.b`), an array as a JSON array of strings,
/// and everything else as a string. A metadata key named like one of the four
/// fixed keys is written as `metadata.<key>` so it cannot hide them.
///
/// A line is written with one `write(2)`, so lines from concurrent loggers do
/// not interleave (up to the pipe's atomic size, 4 KiB on Linux, far beyond a log line).
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let descriptor: Int32

    /// A handler writing to standard error.
    public static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label, descriptor: STDERR_FILENO)
    }

    /// A handler writing to a file descriptor (for tests: one end of a pipe).
    public init(label: String, descriptor: Int32, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.descriptor = descriptor
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.line(
            time: Date(), level: event.level, label: self.label, message: event.message.description,
            metadata: self.merged(event.metadata)
        )
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(self.descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    private func merged(_ call: Logger.Metadata?) -> Logger.Metadata {
        var all = self.metadata
        if let provided = self.metadataProvider?.get() { all.merge(provided) { $1 } }
        if let call { all.merge(call) { $1 } }
        return all
    }

    /// One log record as a JSON line, newline included.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var fields: [(String, String)] = [
            ("time", Self.quoted(Self.iso8601(time))), ("level", Self.quoted(level.rawValue)),
            ("label", Self.quoted(label)), ("message", Self.quoted(message)),
        ]
        var flattened: [(String, String)] = []
        Self.flatten(metadata, prefix: "", into: &flattened)
        let reserved: Set<String> = ["time", "level", "label", "message"]
        for (key, value) in flattened.sorted(by: { $0.0 < $1.0 }) {
            fields.append((reserved.contains(key) ? "metadata.\(key)" : key, value))
        }
        return "{" + fields.map { "\(Self.quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}\n"
    }

    private static func flatten(_ metadata: Logger.Metadata, prefix: String, into fields: inout [(String, String)]) {
        for (key, value) in metadata {
            let name = prefix + key
            switch value {
            case .string(let string): fields.append((name, Self.quoted(string)))
            case .stringConvertible(let convertible): fields.append((name, Self.quoted(convertible.description)))
            case .dictionary(let nested): Self.flatten(nested, prefix: name + ".", into: &fields)
            case .array(let values): fields.append((name, "[" + values.map { Self.quoted($0.description) }.joined(separator: ",") + "]"))
            }
        }
    }

    /// `value` as a JSON string literal.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `2026-11-21T09:41:07.123Z`.
    static func iso8601(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let fraction = Int32(((milliseconds % 1000) + 1000) % 1000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(fraction, 3))Z"
    }
}
