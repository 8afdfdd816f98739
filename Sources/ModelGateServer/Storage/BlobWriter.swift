internal import NIOPosix
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One upload into a temporary file: appends chunks, hashes them as they
/// pass, and on ``finish()`` fsyncs and hands back a ``StagedBlob``.
///
/// Each call hops onto the thread pool for its blocking `write`/`fsync`.
///
/// `@unchecked Sendable` because the thread-pool closures capture `self`: the
/// upload that owns a writer awaits each call before making the next, so its
/// state (descriptor, digest, count) is only ever touched by one thread at a time.
final class BlobWriter: @unchecked Sendable {
    /// The temporary file.
    let path: String
    private var descriptor: Int32
    private let digest = StreamingSHA256()
    private let threadPool: NIOThreadPool
    /// Bytes written so far.
    private(set) var sizeBytes: UInt64 = 0

    init(path: String, descriptor: Int32, threadPool: NIOThreadPool) {
        self.path = path
        self.descriptor = descriptor
        self.threadPool = threadPool
    }

    deinit {
        // A writer dropped without finish() or abandon() belongs to a failed upload.
        if self.descriptor >= 0 {
            close(self.descriptor)
            unlink(self.path)
        }
    }

    /// Appends `bytes` to the file and the digest.
    func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await self.threadPool.runIfActive {
            try bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = systemWrite(self.descriptor, base + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw BlobStore.error(errno, "write", self.path)
                    }
                    offset += written
                }
                self.digest.update(buffer)
            }
            self.sizeBytes += UInt64(bytes.count)
        }
    }

    /// Flushes the file to disk, closes it, makes it read-only, and returns it
    /// with its hash. The writer is spent afterwards.
    func finish() async throws -> StagedBlob {
        try await self.threadPool.runIfActive {
            guard fsync(self.descriptor) == 0 else { throw BlobStore.error(errno, "fsync", self.path) }
            fchmod(self.descriptor, 0o444)
            close(self.descriptor)
            self.descriptor = -1
            return StagedBlob(temporaryPath: self.path, sha256: self.digest.finalize(), sizeBytes: self.sizeBytes)
        }
    }

    /// Closes and removes the temporary file of a failed upload.
    func abandon() async {
        try? await self.threadPool.runIfActive {
            if self.descriptor >= 0 {
                close(self.descriptor)
                self.descriptor = -1
            }
            unlink(self.path)
        }
    }
}

/// POSIX `write`, named apart from ``BlobWriter/write(_:)``.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
