internal import Glibc

/// How a replica process ended.
enum ReplicaExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// It exited by itself with this code (3: the script failed to load; see the runtime's `PROTOCOL.md`).
    case exited(code: Int32)
    /// A signal ended it.
    case signaled(Int32)

    /// Decodes a `waitpid` status word.
    init(waitStatus status: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        let signal = status & 0x7F
        self = signal == 0 ? .exited(code: (status >> 8) & 0xFF) : .signaled(signal)
    }

    /// `ReplicaStatus.last_exit_code`: the exit code, or minus the signal number.
    var wireCode: Int32 {
        switch self {
        case .exited(let code): code
        case .signaled(let signal): -signal
        }
    }

    /// Whether it exited with code 0 (drained after GOAWAY or SIGTERM).
    var isClean: Bool { self == .exited(code: 0) }

    /// "exited with code 3", "exited with signal 9": completes "replica r-2 …".
    var description: String {
        switch self {
        case .exited(let code): "exited with code \(code)"
        case .signaled(let signal): "exited with signal \(signal)"
        }
    }
}
