internal import Foundation
public import NIOPosix
internal import ModelGateAPI
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Content-addressed files: `<root>/sha256/ab/<hash>`, where `ab` is the first
/// two hex digits of the SHA-256 of the content.
///
/// Uploads stream into `<root>/tmp/` through a ``BlobWriter`` (fsync'd, hashed
/// on the way), and ``promote(_:)`` renames a finished file into place, so a
/// blob is either absent or complete, even after a crash. Identical content is
/// stored once. Blobs are read-only (0444): materialised model directories
/// hard-link them, and a write through a link would change every model that
/// shares the content.
///
/// Blocking file calls run on the injected `NIOThreadPool`, never on the
/// cooperative pool. ``promote(_:)`` and ``remove(_:)`` are synchronous on
/// purpose: ``ModelStore`` runs them on the database's thread, inside the
/// transaction that adds or drops the last reference, so that a blob is never
/// removed between another upload's check and its commit.
public struct BlobStore: Sendable {
    /// The blob folder (`<dataDir>/blobs`).
    public let root: String
    let threadPool: NIOThreadPool

    var objectsPath: String { self.root + "/sha256" }
    var temporaryPath: String { self.root + "/tmp" }

    /// Creates `sha256/` and `tmp/` under `root` (0700) and empties `tmp/`,
    /// which holds only the leftovers of uploads a crash interrupted.
    ///
    /// Call it before the server accepts calls: no upload may be running.
    public init(root: String, threadPool: NIOThreadPool) throws {
        self.root = root
        self.threadPool = threadPool
        for directory in [root, self.objectsPath, self.temporaryPath] {
            try Self.makeDirectory(directory)
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: self.temporaryPath)) ?? []
        for name in leftovers {
            unlink(self.temporaryPath + "/" + name)
        }
    }

    /// Where the blob with `sha256` lives (whether or not it exists).
    ///
    /// - Precondition: `sha256` is 64 lower-case hex digits; callers pass only
    ///   hashes they computed or read back from the database.
    public func path(for sha256: String) -> String {
        precondition(StreamingSHA256.isValidHex(sha256), "not a SHA-256 hex digest: \(sha256)")
        return "\(self.objectsPath)/\(sha256.prefix(2))/\(sha256)"
    }

    /// True when the blob is stored.
    public func contains(_ sha256: String) -> Bool {
        guard StreamingSHA256.isValidHex(sha256) else { return false }
        var status = stat()
        return stat(self.path(for: sha256), &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Opens a new temporary file for an upload.
    func makeWriter() async throws -> BlobWriter {
        let path = "\(self.temporaryPath)/\(UUID().uuidString.lowercased()).part"
        let descriptor = try await self.threadPool.runIfActive { () throws -> Int32 in
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw Self.error(errno, "create", path) }
            return descriptor
        }
        return BlobWriter(path: path, descriptor: descriptor, threadPool: self.threadPool)
    }

    /// Moves a staged file into place as the blob for its hash; when that blob
    /// exists already with the same size, keeps it and leaves the staged file.
    ///
    /// Synchronous and blocking; see the type's notes for where it runs.
    ///
    /// - Returns: `true` when the staged file became the blob.
    /// - Throws: ``FileSystemError``, or `RESOURCE_EXHAUSTED` for a full disk.
    @discardableResult
    func promote(_ staged: StagedBlob) throws -> Bool {
        let destination = self.path(for: staged.sha256)
        var status = stat()
        if stat(destination, &status) == 0, UInt64(status.st_size) == staged.sizeBytes {
            return false
        }
        // A blob of the wrong size is damaged (it cannot have this hash); replace it.
        let directory = (destination as NSString).deletingLastPathComponent
        try Self.makeDirectory(directory)
        guard rename(staged.temporaryPath, destination) == 0 else {
            throw Self.error(errno, "move into place", destination)
        }
        Self.syncDirectory(directory)
        return true
    }

    /// Removes a staged file that will not become a blob.
    func discard(_ staged: StagedBlob) async {
        let path = staged.temporaryPath
        try? await self.threadPool.runIfActive { _ = unlink(path) }
    }

    /// Removes the blob with `sha256`, if it exists. Synchronous and blocking.
    func remove(_ sha256: String) {
        guard StreamingSHA256.isValidHex(sha256) else { return }
        unlink(self.path(for: sha256))
    }

    // MARK: POSIX

    static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw Self.error(errno, "create directory", path)
        }
    }

    /// Makes a rename in `directory` durable (best effort: some file systems refuse).
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// A failed file call as an error: a full disk or quota is `RESOURCE_EXHAUSTED`
    /// (the caller can act on it), anything else a ``FileSystemError`` that the
    /// transport reports as `INTERNAL` and the log keeps whole.
    static func error(_ code: Int32, _ operation: String, _ path: String) -> any Error {
        if code == ENOSPC || code == EDQUOT {
            return RPCError(
                code: .resourceExhausted,
                message: "the server's disk is full: the model was not stored; free space and retry"
            )
        }
        return FileSystemError(operation: operation, path: path, errno: code, reason: String(cString: strerror(code)))
    }
}
