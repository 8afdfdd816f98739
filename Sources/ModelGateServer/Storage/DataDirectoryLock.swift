internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// An exclusive `flock` on `<data-dir>/modelgate.lock`, held for the server's
/// lifetime, so two servers never share one database, blob folder and set of
/// replicas. The kernel drops the lock when the process dies, even by
/// `kill -9`, so a crash never leaves a stale lock behind. A server that
/// stops releases it at once (``release()``), not when its last reference
/// goes: tasks that outlive the stop may still hold the app, and a server
/// started right after on the same directory must not find it locked.
final class DataDirectoryLock: Sendable {
    /// The locked file's descriptor; -1 once released.
    private let descriptor: Atomic<Int32>

    /// Takes the lock, or throws at once if another process holds it.
    ///
    /// - Throws: ``FileSystemError`` naming the directory, with the holder's
    ///   pid when it recorded one.
    init(directory: String) throws {
        let path = directory + "/modelgate.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            throw FileSystemError(operation: "open", path: path, errno: code, reason: String(cString: strerror(code)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var holder = [UInt8](repeating: 0, count: 32)
            let count = read(descriptor, &holder, holder.count)
            close(descriptor)
            let pid = count > 0 ? String(decoding: holder.prefix(count), as: UTF8.self) : "unknown"
            throw FileSystemError(
                operation: "lock", path: directory, errno: code,
                reason: "another modelgate server (pid \(pid)) is using this data directory")
        }
        // Record the holder for the message above; best effort.
        let pid = Array("\(getpid())".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
        self.descriptor = Atomic(descriptor)
    }

    /// Drops the lock (closing the file drops the `flock`); later calls do nothing.
    func release() {
        let descriptor = self.descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { close(descriptor) }
    }

    deinit {
        self.release()
    }
}
