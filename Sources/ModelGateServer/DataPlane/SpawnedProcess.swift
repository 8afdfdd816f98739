internal import Foundation
internal import Glibc
internal import NIOCore
internal import Synchronization

/// A child process started with `posix_spawn` in a process group of its own,
/// whose exit is reported through a future.
///
/// Its own group lets a stop reach whatever the user's script started
/// (subprocesses, `multiprocessing` workers) and keeps a terminal's Ctrl-C,
/// sent to the server's group, from reaching replicas before the server has
/// drained them. When the process ends, anything left in its group is killed
/// before the process is reaped, so no stray worker outlives its replica and
/// the group id cannot be reused while it is signalled.
///
/// Each process has one thread blocked in `waitid` for its exit: blocking a
/// dedicated thread is fine, blocking an event loop or the cooperative pool
/// is not, and it leaves `SIGCHLD` alone for everyone else in the process.
final class SpawnedProcess: Sendable {
    let pid: Int32
    /// Completed with the exit status once the process is reaped.
    let exitFuture: EventLoopFuture<ReplicaExitStatus>
    /// Set (under the lock) once the process has exited, before it is reaped:
    /// ``signal(_:)`` checks it under the same lock, so it never signals a
    /// reused process group.
    private let hasExited: Mutex<Bool>

    private init(pid: Int32, exitFuture: EventLoopFuture<ReplicaExitStatus>) {
        self.pid = pid
        self.exitFuture = exitFuture
        self.hasExited = Mutex(false)
    }

    /// Spawns `executable` (looked up on `PATH` unless it contains a slash).
    ///
    /// - Parameters:
    ///   - standardOutput: the descriptor that becomes the child's fd 1.
    ///   - standardError: the descriptor that becomes the child's fd 2.
    ///   The child gets `/dev/null` as stdin and no other descriptor of ours.
    /// - Throws: ``SpawnError`` with `posix_spawn`'s reason, such as an interpreter that does not exist.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String],
        standardOutput: Int32, standardError: Int32, eventLoop: any EventLoop
    ) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError, 2)
        _ = LinuxExtensions.addCloseFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // The server may ignore or block signals (SIGPIPE, and SIGTERM/SIGINT
        // while a ServiceGroup handles them); a replica starts with defaults.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let rc = (argv + [nil]).withUnsafeBufferPointer { argvBuffer -> Int32 in
            (envp + [nil]).withUnsafeBufferPointer { envpBuffer -> Int32 in
                guard let argvBase = argvBuffer.baseAddress, let envpBase = envpBuffer.baseAddress else { return EINVAL }
                return posix_spawnp(&pid, executable, &actions, &attributes, argvBase, envpBase)
            }
        }
        guard rc == 0 else {
            throw SpawnError(executable: executable, code: rc)
        }
        let promise = eventLoop.makePromise(of: ReplicaExitStatus.self)
        let process = SpawnedProcess(pid: pid, exitFuture: promise.futureResult)
        Thread.detachNewThread { [process] in
            promise.succeed(process.waitForExit())
        }
        return process
    }

    /// Sends `signal` to the process's group, unless the process has already exited.
    func signal(_ signal: Int32) {
        self.hasExited.withLock { exited in
            guard !exited else { return }
            _ = Glibc.kill(-self.pid, signal)
        }
    }

    /// Blocks the calling (dedicated) thread until the process exits; then
    /// kills the rest of its group and reaps it.
    private func waitForExit() -> ReplicaExitStatus {
        var info = siginfo_t()
        // WNOWAIT leaves the zombie in place, so the group id stays ours until reaped.
        while waitid(P_PID, id_t(self.pid), &info, WEXITED | WNOWAIT) == -1, errno == EINTR {}
        self.hasExited.withLock { exited in
            exited = true
            _ = Glibc.kill(-self.pid, SIGKILL)
        }
        var status: Int32 = 0
        while waitpid(self.pid, &status, 0) == -1 {
            guard errno == EINTR else { return .exited(code: -1) }
        }
        return ReplicaExitStatus(waitStatus: status)
    }

    /// `posix_spawn` failed.
    struct SpawnError: Error, CustomStringConvertible {
        var executable: String
        var code: Int32

        var description: String {
            "cannot start '\(self.executable)': \(String(cString: strerror(self.code)))"
        }
    }
}
