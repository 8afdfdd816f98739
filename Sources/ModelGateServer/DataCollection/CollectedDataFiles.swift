internal import Foundation
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The JSON-lines files data collection appends to, and their open descriptors.
///
/// Layout: `<root>/<workspace>/<service>/<version or "default">/<yyyy-mm-dd>.jsonl`,
/// one file per UTC day. Each (workspace, service, version) keeps one open
/// descriptor, for its latest day; a record of a later day closes it (with
/// `fsync`) and opens the next day's file, so at most one file per version is
/// open and none is left open after midnight's first record.
///
/// Not thread-safe: only the ``DataCollector``'s writer uses it, on the
/// blocking thread pool.
final class CollectedDataFiles {
    let root: String
    private var openFiles: [String: OpenFile] = [:]
    /// Files opened for records older than their folder's open day; closed after the batch.
    private var lateFiles: [Int32] = []

    private struct OpenFile {
        var day: String
        var descriptor: Int32
    }

    init(root: String) {
        self.root = root
    }

    /// The folder of one version's files.
    static func directory(root: String, workspace: String, service: String, versionSegment: String) -> String {
        "\(root)/\(Self.segment(workspace))/\(Self.segment(service))/\(Self.segment(versionSegment))"
    }

    /// A name as a path segment: a name the control plane accepted never has a
    /// `/` or starts with `.`, but a file name must not be able to climb out.
    static func segment(_ name: String) -> String {
        var segment = name.replacingOccurrences(of: "/", with: "_")
        if segment.isEmpty || segment.hasPrefix(".") { segment = "_" + segment }
        return segment
    }

    /// Appends every record's line to its file, one `write` per file, then
    /// leaves the data with the kernel (no user-space buffer survives a batch).
    ///
    /// - Returns: How many records were written; a file that cannot be opened or
    ///   written loses its records, which the error lists.
    func append(_ records: [ModelDataRecord]) -> (written: Int, errors: [String]) {
        // Grouped by a key of the raw names first: the folder path is built once per file and batch.
        struct FileKey: Hashable {
            var workspace: String
            var service: String
            var version: String
            var day: String
        }
        var batches: [FileKey: (bytes: [UInt8], count: Int)] = [:]
        var order: [FileKey] = []
        for record in records {
            let key = FileKey(workspace: record.workspace, service: record.service, version: record.versionSegment, day: record.day)
            let line = record.jsonLine()
            if batches[key] == nil {
                batches[key] = (line, 1)
                order.append(key)
            } else {
                batches[key]?.bytes.append(contentsOf: line)
                batches[key]?.count += 1
            }
        }
        var written = 0
        var errors: [String] = []
        for key in order {
            guard let batch = batches[key] else { continue }
            let directory = Self.directory(root: self.root, workspace: key.workspace, service: key.service, versionSegment: key.version)
            do {
                let descriptor = try self.descriptor(directory: directory, day: key.day)
                try Self.writeAll(batch.bytes, to: descriptor, path: "\(directory)/\(key.day).jsonl")
                written += batch.count
            } catch {
                errors.append("\(error)")
            }
        }
        self.closeLateFiles()
        return (written, errors)
    }

    /// Syncs and closes every open file.
    func closeAll() {
        for file in self.openFiles.values {
            fsync(file.descriptor)
            close(file.descriptor)
        }
        self.openFiles.removeAll()
    }

    private func descriptor(directory: String, day: String) throws -> Int32 {
        if let file = self.openFiles[directory] {
            if file.day == day { return file.descriptor }
            if file.day > day {
                // A record from before the day change, written late: append to its own day's file, once.
                return try self.openFile(directory: directory, day: day, cache: false)
            }
            fsync(file.descriptor)
            close(file.descriptor)
            self.openFiles[directory] = nil
        }
        return try self.openFile(directory: directory, day: day, cache: true)
    }

    private func openFile(directory: String, day: String, cache: Bool) throws -> Int32 {
        try Self.makeDirectories(directory)
        let path = "\(directory)/\(day).jsonl"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            throw FileSystemError(operation: "open for appending", path: path, errno: code, reason: String(cString: strerror(code)))
        }
        if cache {
            self.openFiles[directory] = OpenFile(day: day, descriptor: descriptor)
        } else {
            // Closed once this batch is written: see `descriptor(directory:day:)`.
            self.lateFiles.append(descriptor)
        }
        return descriptor
    }

    /// Closes the files opened for late records; called after each batch.
    private func closeLateFiles() {
        for descriptor in self.lateFiles {
            fsync(descriptor)
            close(descriptor)
        }
        self.lateFiles.removeAll()
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw FileSystemError(operation: "append to", path: path, errno: code, reason: String(cString: strerror(code)))
            }
            offset += count
        }
    }

    private static func makeDirectories(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
    }
}
