internal import Foundation
internal import ModelGateAPI
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Reads collected model data back (`GetCollectedData`), from the files
/// ``CollectedDataFiles`` writes.
///
/// Versions are read one after the other (in name order), each oldest first:
/// day files in date order, lines in the order they were written. Files of
/// days before `since`'s day are skipped without being opened. Blocking: call
/// it on the thread pool.
struct CollectedDataReader: Sendable {
    /// `<data>/collected`.
    let root: String

    /// What to read.
    struct Query: Sendable {
        var workspace: String
        var service: String
        /// One version's folder (`default` for a web service), or every version when nil.
        var versionSegment: String?
        var sinceUnixMs: Int64 = 0
        /// At most this many records; 0 means all.
        var limit: Int = 0
    }

    /// The service's folder exists: something was collected for it once.
    func hasData(workspace: String, service: String) -> Bool {
        FileManager.default.fileExists(atPath: self.serviceDirectory(workspace: workspace, service: service))
    }

    /// The day files the query reads, in reading order.
    func files(for query: Query) -> [String] {
        let serviceDirectory = self.serviceDirectory(workspace: query.workspace, service: query.service)
        let versions: [String]
        if let segment = query.versionSegment {
            versions = [CollectedDataFiles.segment(segment)]
        } else {
            versions = ((try? FileManager.default.contentsOfDirectory(atPath: serviceDirectory)) ?? []).sorted()
        }
        let firstDay = query.sinceUnixMs > 0 ? ModelDataRecord.utcDay(unixMs: query.sinceUnixMs) : ""
        var files: [String] = []
        for version in versions {
            let directory = serviceDirectory + "/" + version
            let days = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { $0.hasSuffix(".jsonl") && String($0.dropLast(".jsonl".count)) >= firstDay }
                .sorted()
            files.append(contentsOf: days.map { directory + "/" + $0 })
        }
        return files
    }

    /// The records of one day file that match the query, at most `limit` (0: all).
    ///
    /// A line that is not a record (a torn last line after a crash) is skipped.
    func records(inFile path: String, since sinceUnixMs: Int64, limit: Int) throws -> [ModelGateAPI.CollectedRecord] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var records: [ModelGateAPI.CollectedRecord] = []
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard let record = Self.record(fromLine: Data(line)), record.timeUnixMs >= sinceUnixMs else { continue }
            records.append(record)
            if limit > 0, records.count >= limit { break }
        }
        return records
    }

    /// One stored JSON line as a wire record.
    static func record(fromLine line: Data) -> ModelGateAPI.CollectedRecord? {
        guard let object = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any],
              let time = object["time"] as? String, let timeUnixMs = Self.unixMs(iso8601: time)
        else { return nil }
        var record = ModelGateAPI.CollectedRecord()
        record.timeUnixMs = timeUnixMs
        record.requestID = object["request_id"] as? String ?? ""
        record.version = object["version"] as? String ?? ""
        record.replicaID = object["replica"] as? String ?? ""
        let status = "STATUS_CODE_" + (object["status"] as? String ?? "UNKNOWN")
        record.code = StatusCode.knownValues.first { $0.name == status }.map { StatusCode(rawValue: $0.value) } ?? .unknown
        record.httpStatus = Int32(clamping: (object["http_status"] as? NSNumber)?.int64Value ?? 0)
        record.latencyMicros = UInt64(clamping: (object["latency_us"] as? NSNumber)?.int64Value ?? 0)
        record.json = String(decoding: line, as: UTF8.self)
        return record
    }

    /// `2026-11-21T09:41:07.123Z` (the form ``ModelDataRecord`` writes) in Unix milliseconds.
    static func unixMs(iso8601 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"), bytes[23] == UInt8(ascii: "Z") else {
            return nil
        }
        func number(_ start: Int, _ length: Int) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[start..<start + length] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let milliseconds = number(20, 3)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Int64(timegm(&parts)) * 1000 + Int64(milliseconds)
    }

    private func serviceDirectory(workspace: String, service: String) -> String {
        "\(self.root)/\(CollectedDataFiles.segment(workspace))/\(CollectedDataFiles.segment(service))"
    }
}
