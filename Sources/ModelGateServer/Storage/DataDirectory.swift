internal import Foundation
internal import Logging
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The server's data directory: `modelgate.sqlite` (+ WAL files), `blobs/`
/// (content-addressed model files and source archives), `models/` (model
/// files laid out for replicas), `environments/` (built Python environments), `sources/` (unpacked
/// deployment source directories), `collected/` (model data collection's
/// JSON-lines files) and `credentials.json`.
struct DataDirectory: Sendable {
    let path: String

    var databasePath: String { self.path + "/modelgate.sqlite" }
    var blobsPath: String { self.path + "/blobs" }
    var modelsPath: String { self.path + "/models" }
    var environmentsPath: String { self.path + "/environments" }
    /// Unpacked source directories of deployments, by archive hash.
    var sourcesPath: String { self.path + "/sources" }
    var credentialsPath: String { self.path + "/" + CredentialsFile.fileName }
    /// Collected model data: `<workspace>/<service>/<version>/<yyyy-mm-dd>.jsonl`.
    var collectedPath: String { self.path + "/collected" }

    /// Creates the directory and `blobs/` with mode 0700 when missing.
    ///
    /// An existing directory is used as it is, but one that other users can
    /// read or enter gets a warning: the database holds key material.
    static func prepare(_ path: String, logger: Logger) throws -> DataDirectory {
        let directory = DataDirectory(path: path)
        try Self.makeDirectory(path, logger: logger)
        try Self.makeDirectory(directory.blobsPath, logger: logger)
        return directory
    }

    private static func makeDirectory(_ path: String, logger: Logger) throws {
        var status = stat()
        if stat(path, &status) == 0 {
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                throw FileSystemError(operation: "use as a directory", path: path, errno: ENOTDIR, reason: "it is not a directory")
            }
            if status.st_mode & 0o077 != 0 {
                logger.warning("Data directory is accessible to other users; chmod 700 it", metadata: [
                    "data.path": "\(path)", "data.mode": "\(String(status.st_mode & 0o777, radix: 8))",
                ])
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, !FileManager.default.fileExists(atPath: parent) {
            try Self.makeDirectory(parent, logger: logger)
        }
        // mkdir applies the umask, which can only remove bits from 0700.
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            let code = errno
            throw FileSystemError(operation: "create directory", path: path, errno: code, reason: String(cString: strerror(code)))
        }
    }
}
