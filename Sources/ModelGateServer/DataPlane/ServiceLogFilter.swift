internal import ModelGateAPI

/// Which lines of a ``ServiceLogBuffer`` a reader wants, as `GetLogs` asks.
struct ServiceLogFilter: Sendable {
    /// Only this replica's lines, when set.
    var replicaID: String?
    /// Only lines of this endpoint version, when set.
    var version: String?
    /// Only these sources; empty means all.
    var sources: Set<LogSource> = []
    /// Only lines at or after this byte offset of the replica's log (meaningful
    /// with ``replicaID``), when set.
    var minimumOffset: Int64?

    static let all = ServiceLogFilter()

    func matches(_ line: ServiceLogLine) -> Bool {
        if let replicaID = self.replicaID, line.replicaID != replicaID { return false }
        if let version = self.version, line.version != version { return false }
        if !self.sources.isEmpty, !self.sources.contains(line.source) { return false }
        if let minimumOffset = self.minimumOffset, line.offset < minimumOffset { return false }
        return true
    }
}
