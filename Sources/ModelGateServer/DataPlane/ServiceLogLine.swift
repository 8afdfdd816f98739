internal import ModelGateAPI

/// One line a replica wrote (or the server wrote about it), as a service's
/// ``ServiceLogBuffer`` keeps it.
struct ServiceLogLine: Sendable, Hashable {
    /// The replica that wrote it.
    var replicaID: String
    /// The endpoint version the replica runs; empty for a plain web service.
    var version: String
    /// Standard output, standard error, or `system` for ModelGate's own lines
    /// (starts, exits, restarts).
    var source: LogSource
    /// When the line was captured, in Unix milliseconds.
    var timestampUnixMs: Int64
    /// The text, without its newline.
    var text: String
    /// Byte offset of the line in its replica's log (all sources together),
    /// counting each line's text and one newline; lets a broken follow resume.
    var offset: Int64

    /// The line as `GetLogs` sends it.
    var logLine: LogLine {
        var line = LogLine()
        line.replicaID = self.replicaID
        line.version = self.version
        line.source = self.source
        line.timestampUnixMs = self.timestampUnixMs
        line.text = self.text
        line.offset = self.offset
        return line
    }
}
