internal import Glibc

/// glibc functions that Swift's Glibc module does not import (they are
/// declared only under `_GNU_SOURCE`), looked up at run time instead of
/// adding a C target. Nil when the C library lacks them.
enum LinuxExtensions {
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34): the child
    /// closes every descriptor from the given one up, including any that
    /// another thread opened without `O_CLOEXEC`.
    static let addCloseFrom: (@Sendable (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        let function = unsafeBitCast(symbol, to: AddCloseFrom.self)
        return { function($0, $1) }
    }()

    /// A pipe whose both ends are close-on-exec from the start (`pipe2` with
    /// `O_CLOEXEC`, else `pipe` and `fcntl`).
    ///
    /// - Returns: the read end and the write end.
    static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let rc = fds.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            if let symbol = dlsym(nil, "pipe2") {
                return unsafeBitCast(symbol, to: Pipe2.self)(base, O_CLOEXEC)
            }
            guard pipe(base) == 0 else { return -1 }
            _ = fcntl(base[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(base[1], F_SETFD, FD_CLOEXEC)
            return 0
        }
        guard rc == 0 else {
            throw SpawnedProcess.SpawnError(executable: "pipe", code: errno)
        }
        return (fds[0], fds[1])
    }
}
