import Foundation
@testable import ModelGateServer
import Synchronization
import Testing

@Suite("Build processes and waiters")
struct BuildProcessTests {
    static func shell(_ script: String) -> BuildProcess {
        BuildProcess(executable: "/bin/sh", arguments: ["-c", script], environment: ProcessInfo.processInfo.environment)
    }

    @Test("Output lines arrive in order, are logged, and the tail and exit status come back")
    func outputAndStatus() async throws {
        let directory = try TemporaryDirectory()
        let log = directory.path + "/build.log"
        let lines = Mutex<[String]>([])
        let outcome = try await Self.shell("echo one; echo two >&2; printf 'three'; exit 3")
            .run(logPath: log, timeout: .seconds(30), tailLines: 2) { line in lines.withLock { $0.append(line) } }

        #expect(outcome.status == 3)
        #expect(!outcome.succeeded && !outcome.timedOut)
        #expect(lines.withLock { $0 } == ["one", "two", "three"])
        #expect(outcome.tail == ["two", "three"])
        let logged = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logged.contains("$ /bin/sh -c"))
        #expect(logged.hasSuffix("one\ntwo\nthree"))
    }

    @Test("A process past its timeout is killed with its children, and says so")
    func timeoutTerminates() async throws {
        let started = ContinuousClock.now
        // A child that ignores SIGTERM, as children of a server handling SIGTERM do, and has a child of its own.
        let outcome = try await Self.shell("trap '' TERM; sleep 30 & wait").run(logPath: nil, timeout: .milliseconds(300))
        #expect(outcome.timedOut)
        #expect(outcome.status == -SIGKILL)
        // Well under the child's 30 s sleep, which a kill that missed it would wait out; room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test("A child starts with SIGTERM at its default, even when the server ignores it")
    func sigtermIsDefaultInTheChild() async throws {
        let outcome = try await Self.shell("kill -TERM $$; sleep 5; echo survived").run(logPath: nil, timeout: .seconds(30))
        #expect(outcome.status == -SIGTERM)
        #expect(outcome.tail.isEmpty)
    }

    @Test("Background processes a child leaves behind are killed when it exits")
    func leftoversAreKilled() async throws {
        let started = ContinuousClock.now
        let outcome = try await Self.shell("sleep 30 & echo started").run(logPath: nil, timeout: .seconds(60))
        #expect(outcome.status == 0)
        #expect(outcome.tail == ["started"])
        // Well under the child's 30 s sleep, which a kill that missed it would wait out; room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test("Cancelling the task terminates the process and waits for it")
    func cancellationTerminates() async throws {
        let started = ContinuousClock.now
        let task = Task { try await Self.shell("exec sleep 30").run(logPath: nil, timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // Well under the child's 30 s sleep, which a kill that missed it would wait out; room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test("A missing executable fails to start")
    func missingExecutableThrows() async {
        await #expect(throws: (any Error).self) {
            try await BuildProcess(executable: "/nonexistent/python", arguments: [], environment: [:]).run(logPath: nil, timeout: .seconds(5))
        }
    }

    @Test("Waiters are resumed with the result, and a cancelled waiter stops waiting at once")
    func waitersFinishOrCancel() async throws {
        let waiters = BuildWaiters()
        let first = Task { try await waiters.wait(for: "h1") }
        let second = Task { try await waiters.wait(for: "h1") }
        let cancelled = Task { try await waiters.wait(for: "h1") }
        try await Task.sleep(for: .milliseconds(100))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }

        struct BuildFailed: Error {}
        waiters.finish("h1", with: .failure(BuildFailed()))
        await #expect(throws: BuildFailed.self) { try await first.value }
        await #expect(throws: BuildFailed.self) { try await second.value }

        let late = Task { try await waiters.wait(for: "h2") }
        late.cancel()
        await #expect(throws: CancellationError.self) { try await late.value }
    }
}
