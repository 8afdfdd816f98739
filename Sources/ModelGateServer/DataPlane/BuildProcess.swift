internal import Foundation
internal import Synchronization

/// One child process of an environment build (`python -m venv`, `pip install`,
/// a build step), run to completion without blocking a thread while it runs.
///
/// Its standard output and error go to one pipe; a `FileHandle` readability
/// handler (on Foundation's own dispatch thread, not the cooperative pool)
/// appends them to the build log and passes them on, and the exit arrives
/// through `Process.terminationHandler`. Cancelling the calling task, or the
/// timeout, sends SIGTERM, and the call still waits for the exit so nothing
/// keeps writing into a folder the caller is about to remove.
struct BuildProcess: Sendable {
    var executable: String
    var arguments: [String]
    /// The child's whole environment.
    var environment: [String: String]
    var directory: String?

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
    ///   - timeout: when to give up and terminate it.
    ///   - tailLines: how many of the last lines to keep for ``Outcome/tail``.
    ///   - output: called with each line, in order.
    /// - Throws: When the executable cannot be started; `CancellationError`
    ///   (after the process has exited) when the task was cancelled.
    func run(
        logPath: String?, timeout: Duration, tailLines: Int = 40,
        output: @Sendable (String) async -> Void = { _ in }
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.executable)
        process.arguments = self.arguments
        process.environment = self.environment
        if let directory = self.directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe

        let log = logPath.flatMap { path -> FileHandle? in
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            let handle = FileHandle(forWritingAtPath: path)
            handle?.seekToEndOfFile()
            return handle
        }
        let (chunks, chunkContinuation) = AsyncStream.makeStream(of: Data.self)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                chunkContinuation.finish()
                return
            }
            log?.write(data)
            chunkContinuation.yield(data)
        }
        let exit = ExitSignal()
        process.terminationHandler = { process in
            exit.finish(process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus)
        }
        let header = "$ \(([self.executable] + self.arguments).joined(separator: " "))\n"
        log?.write(Data(header.utf8))
        do {
            try process.run()
        } catch {
            pipe.fileHandleForReading.readabilityHandler = nil
            chunkContinuation.finish()
            try? log?.close()
            throw error
        }
        // Process.run() has closed our copy of the pipe's write end, so EOF comes when the child's side closes.

        let terminator = Terminator(process: process)
        var tail: [String] = []
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    terminator.expire()
                }
                var pending: [UInt8] = []
                for await chunk in chunks {
                    pending += chunk
                    while let newline = pending.firstIndex(of: 0x0A) {
                        let line = Self.line(pending[..<newline])
                        pending.removeSubrange(...newline)
                        tail.append(line)
                        if tail.count > tailLines { tail.removeFirst(tail.count - tailLines) }
                        await output(line)
                    }
                }
                if !pending.isEmpty {
                    let line = Self.line(pending[...])
                    tail.append(line)
                    if tail.count > tailLines { tail.removeFirst(tail.count - tailLines) }
                    await output(line)
                }
                group.cancelAll()
            }
        } onCancel: {
            terminator.terminate()
        }
        let status = await exit.wait()
        try? log?.close()
        try Task.checkCancellation()
        return Outcome(status: status, tail: tail, timedOut: terminator.didExpire)
    }

    /// A line of output as text, without a trailing CR; invalid UTF-8 is replaced.
    private static func line(_ bytes: ArraySlice<UInt8>) -> String {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    /// Sends SIGTERM to a running process from any thread, and remembers a timeout.
    ///
    /// `@unchecked Sendable`: `Process.terminate()` is `kill(2)` on the child's
    /// pid, safe from any thread; the flag is behind a Mutex; nothing else is
    /// touched through this box.
    private final class Terminator: @unchecked Sendable {
        private let process: Process
        private let expired = Mutex(false)

        init(process: Process) { self.process = process }

        var didExpire: Bool { self.expired.withLock { $0 } }

        func terminate() {
            if self.process.isRunning { self.process.terminate() }
        }

        /// Ends the process because it ran out of time.
        func expire() {
            self.expired.withLock { $0 = true }
            self.terminate()
        }
    }

    /// The exit status, delivered once by the termination handler and awaited
    /// without being cancellable (the caller must not move on while the child runs).
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
