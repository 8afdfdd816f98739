internal import Foundation
internal import Synchronization
#if canImport(Glibc)
internal import Glibc
#endif

/// One child process of an environment build (`python -m venv`, `pip install`,
/// a build step), run to completion without blocking the cooperative pool.
///
/// It is started with `posix_spawn` directly, not Foundation's `Process`,
/// whose Linux implementation hangs now and then when processes start and end
/// concurrently (swift-corelibs-foundation #5197). The child:
/// - gets `/dev/null` as stdin and one pipe as stdout and stderr, opened
///   close-on-exec so no other child inherits it (and delays its end of file);
/// - leads its own process group, so a timeout or a cancellation kills what it
///   started too (pip's own builds), and whatever is left of the group when it
///   exits is killed as well;
/// - starts with SIGTERM, SIGINT and the like at their defaults: a server whose
///   ServiceLifecycle handles SIGTERM ignores it, and children would inherit that.
///
/// Two short-lived threads per process do the blocking work: one reads the
/// pipe (appending to the build log and passing lines on), one waits for the exit.
struct BuildProcess: Sendable {
    var executable: String
    var arguments: [String]
    /// The child's whole environment.
    var environment: [String: String]

    /// How a run ended.
    struct Outcome: Sendable {
        /// The exit status, or minus the signal number that ended it.
        var status: Int32
        /// The last lines it printed (at most `tailLines`).
        var tail: [String]
        /// True when the timeout ended it.
        var timedOut: Bool

        var succeeded: Bool { self.status == 0 && !self.timedOut }
    }

    /// Runs the process to its end.
    ///
    /// - Parameters:
    ///   - logPath: a file the output is appended to, if given.
    ///   - timeout: when to give up and kill it.
    ///   - tailLines: how many of the last lines to keep for ``Outcome/tail``.
    ///   - output: called with each line, in order.
    /// - Throws: ``FileSystemError`` when the executable cannot be started;
    ///   `CancellationError` (after the process has exited) when the task was cancelled.
    func run(
        logPath: String?, timeout: Duration, tailLines: Int = 40,
        output: @Sendable (String) async -> Void = { _ in }
    ) async throws -> Outcome {
        let child = try Child.spawn(self.executable, arguments: self.arguments, environment: self.environment)
        if let logPath {
            let header = "$ \(([self.executable] + self.arguments).joined(separator: " "))\n"
            Self.append(Array(header.utf8), toLog: logPath)
        }
        let (chunks, chunkContinuation) = AsyncStream.makeStream(of: [UInt8].self)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(child.outputDescriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                let chunk = Array(buffer[..<count])
                if let logPath { Self.append(chunk, toLog: logPath) }
                chunkContinuation.yield(chunk)
            }
            close(child.outputDescriptor)
            chunkContinuation.finish()
        }
        Thread.detachNewThread { child.waitForExit() }

        var tail: [String] = []
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    child.kill(expired: true)
                }
                var pending: [UInt8] = []
                func emit(_ bytes: ArraySlice<UInt8>) async {
                    var line = String(decoding: bytes, as: UTF8.self)
                    if line.hasSuffix("\r") { line.removeLast() }
                    tail.append(line)
                    if tail.count > tailLines { tail.removeFirst(tail.count - tailLines) }
                    await output(line)
                }
                for await chunk in chunks {
                    pending += chunk
                    while let newline = pending.firstIndex(of: 0x0A) {
                        await emit(pending[..<newline])
                        pending.removeSubrange(...newline)
                    }
                }
                if !pending.isEmpty { await emit(pending[...]) }
                group.cancelAll()
            }
        } onCancel: {
            child.kill(expired: false)
        }
        let status = await child.exit.wait()
        try Task.checkCancellation()
        return Outcome(status: status, tail: tail, timedOut: child.didExpire)
    }

    private static func append(_ bytes: [UInt8], toLog path: String) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// A started child: its pid, the read end of its output pipe, and its exit.
    private final class Child: Sendable {
        let pid: pid_t
        let outputDescriptor: Int32
        let exit = ExitSignal()
        /// Whether the timeout killed it, and whether it has been reaped (after
        /// which its pid, and so its group id, may belong to someone else).
        private let state = Mutex((expired: false, reaped: false))

        private init(pid: pid_t, outputDescriptor: Int32) {
            self.pid = pid
            self.outputDescriptor = outputDescriptor
        }

        var didExpire: Bool { self.state.withLock { $0.expired } }

        /// Kills the child's process group, unless it is gone already.
        func kill(expired: Bool) {
            self.state.withLock { state in
                guard !state.reaped else { return }
                if expired { state.expired = true }
                _ = Glibc.kill(-self.pid, SIGKILL)
            }
        }

        /// Blocks until the child exits, kills what is left of its group, and reports the status.
        func waitForExit() {
            var status: Int32 = 0
            var result: pid_t
            repeat {
                result = waitpid(self.pid, &status, 0)
            } while result == -1 && errno == EINTR
            self.state.withLock { state in
                // Background processes it left behind would keep the output pipe open.
                _ = Glibc.kill(-self.pid, SIGKILL)
                state.reaped = true
            }
            let signal = status & 0x7F
            self.exit.finish(result == -1 ? -1 : signal == 0 ? (status >> 8) & 0xFF : -signal)
        }

        static func spawn(_ executable: String, arguments: [String], environment: [String: String]) throws -> Child {
            var pipeEnds: [Int32] = [-1, -1]
            let created: Int32
            if let pipe2 = Self.pipe2 {
                created = pipe2(&pipeEnds, O_CLOEXEC)
            } else {
                created = pipe(&pipeEnds)
                for end in pipeEnds where created == 0 { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            }
            guard created == 0 else {
                throw FileSystemError(operation: "create a pipe for", path: executable, errno: errno, reason: String(cString: strerror(errno)))
            }
            let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
            posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
            if let closeFrom = Self.addCloseFrom {
                // Descriptors other code opened without O_CLOEXEC stay out of the child too.
                _ = closeFrom(&actions, 3)
            }

            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var defaults = sigset_t()
            sigemptyset(&defaults)
            for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1, SIGUSR2, SIGCHLD] {
                sigaddset(&defaults, signal)
            }
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            var mask = sigset_t()
            sigemptyset(&mask)
            posix_spawnattr_setsigmask(&attributes, &mask)
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

            var pid = pid_t()
            let argv = ([executable] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                for pointer in argv + envp { free(pointer) }
            }
            let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            close(writeEnd)
            guard rc == 0 else {
                close(readEnd)
                throw FileSystemError(operation: "start", path: executable, errno: rc, reason: String(cString: strerror(rc)))
            }
            return Child(pid: pid, outputDescriptor: readEnd)
        }

        /// `pipe2`, which creates both ends close-on-exec at once (no other thread's
        /// child can inherit them in between), looked up at run time because
        /// Swift's Glibc module does not always declare it.
        private static let pipe2: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
        }()

        /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at
        /// run time because Swift's Glibc module does not declare it.
        private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }()
    }

    /// The exit status, delivered once and awaited without being cancellable
    /// (the caller must not move on while the child runs).
    private final class ExitSignal: Sendable {
        private enum State {
            case running([CheckedContinuation<Int32, Never>])
            case exited(Int32)
        }

        private let state = Mutex(State.running([]))

        func finish(_ status: Int32) {
            let waiters = self.state.withLock { state -> [CheckedContinuation<Int32, Never>] in
                guard case .running(let waiters) = state else { return [] }
                state = .exited(status)
                return waiters
            }
            for waiter in waiters { waiter.resume(returning: status) }
        }

        func wait() async -> Int32 {
            await withCheckedContinuation { continuation in
                let exited = self.state.withLock { state -> Int32? in
                    switch state {
                    case .exited(let status):
                        return status
                    case .running(var waiters):
                        waiters.append(continuation)
                        state = .running(waiters)
                        return nil
                    }
                }
                if let exited { continuation.resume(returning: exited) }
            }
        }
    }
}
