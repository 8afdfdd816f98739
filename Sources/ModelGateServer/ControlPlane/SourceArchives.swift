internal import Foundation
internal import ModelGateAPI
internal import NIOPosix
#if canImport(Glibc)
internal import Glibc
#endif

/// The source directories of deployments: kept as gzip tar archives in the
/// blob store (so a restart or a redeploy of the same code needs nothing from
/// the client), unpacked once per archive into `<dataDir>/sources/<sha256>/`
/// for the replicas' working directory.
///
/// Unpacking runs the system `tar` (GNU tar refuses member names with `..`
/// and strips leading `/`), into a temporary folder renamed into place, so a
/// folder that exists is complete.
struct SourceArchives: Sendable {
    let blobs: BlobStore
    /// `<dataDir>/sources`.
    let root: String

    /// Largest archive accepted, after the RPC layer's own message limit.
    static let maxArchiveBytes = 64 << 20
    /// How long `tar` may take.
    static let unpackTimeout: Duration = .seconds(120)

    init(blobs: BlobStore, root: String) throws {
        self.blobs = blobs
        self.root = root
        try BlobStore.makeDirectory(root)
    }

    /// Stores an archive sent with a deployment.
    ///
    /// - Throws: `INVALID_ARGUMENT` for bytes that are not gzip data.
    func store(_ bytes: [UInt8]) async throws -> BlobRef {
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else {
            throw RPCError(
                code: .invalidArgument,
                message: "inference_config.source_archive is not a gzip-compressed tar archive (it does not start with the gzip magic bytes)"
            )
        }
        let writer = try await self.blobs.makeWriter()
        do {
            try await writer.write(bytes)
            let staged = try await writer.finish()
            let promoted = try await self.blobs.threadPool.runIfActive { try self.blobs.promote(staged) }
            if !promoted { await self.blobs.discard(staged) }
            var reference = BlobRef()
            reference.sha256 = staged.sha256
            reference.sizeBytes = staged.sizeBytes
            return reference
        } catch {
            await writer.abandon()
            throw error
        }
    }

    /// Whether the store holds the archive a deployment refers to.
    func contains(_ reference: BlobRef) -> Bool {
        self.blobs.contains(reference.sha256)
    }

    /// The folder the archive is unpacked in, unpacking it on first use.
    ///
    /// - Throws: `FAILED_PRECONDITION` when the archive is missing or `tar`
    ///   cannot unpack it (with `tar`'s own message).
    func unpack(_ reference: BlobRef) async throws -> String {
        guard self.blobs.contains(reference.sha256) else {
            throw RPCError(
                code: .failedPrecondition,
                message: "source archive \(reference.sha256.prefix(12)) is not on the server; deploy with the source directory again"
            )
        }
        let destination = "\(self.root)/\(reference.sha256)"
        if FileManager.default.fileExists(atPath: destination) { return destination }
        let temporary = "\(self.root)/.unpacking-\(UUID().uuidString.lowercased())"
        try BlobStore.makeDirectory(temporary)
        let tar = BuildProcess(
            executable: EnvironmentCache.findExecutable("tar") ?? "/bin/tar",
            arguments: [
                "-xzf", self.blobs.path(for: reference.sha256), "-C", temporary,
                "--no-same-owner", "--no-same-permissions", "--delay-directory-restore",
            ],
            environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]
        )
        let outcome: BuildProcess.Outcome
        do {
            outcome = try await tar.run(logPath: nil, timeout: Self.unpackTimeout, tailLines: 10)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        guard outcome.succeeded else {
            try? FileManager.default.removeItem(atPath: temporary)
            let reason = outcome.timedOut ? "it took longer than \(Self.unpackTimeout)" : outcome.tail.joined(separator: "\n")
            throw RPCError(code: .failedPrecondition, message: "cannot unpack the source archive: \(reason)")
        }
        if rename(temporary, destination) != 0 {
            let code = errno
            try? FileManager.default.removeItem(atPath: temporary)
            // Another deployment of the same archive got there first; theirs is identical.
            guard code == EEXIST || code == ENOTEMPTY else { throw BlobStore.error(code, "move into place", destination) }
        }
        return destination
    }
}
