import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("ServiceLogBuffer")
struct ServiceLogBufferTests {
    @Test("tail returns the last lines in order, filtered by replica and source")
    func tailFiltersAndOrders() {
        let logs = ServiceLogBuffer()
        for index in 0..<5 {
            logs.append(replicaID: index.isMultiple(of: 2) ? "r-1" : "r-2", version: "", source: .stdout, text: "line \(index)")
        }
        logs.append(replicaID: "r-1", version: "", source: .stderr, text: "oops")

        #expect(logs.tail(2).map(\.text) == ["line 4", "oops"])
        #expect(logs.tail(0).count == 6)
        var filter = ServiceLogFilter()
        filter.replicaID = "r-1"
        filter.sources = [.stdout]
        #expect(logs.tail(10, matching: filter).map(\.text) == ["line 0", "line 2", "line 4"])
    }

    @Test("Offsets count each replica's bytes, newline included")
    func offsetsCountBytesPerReplica() {
        let logs = ServiceLogBuffer()
        logs.append(replicaID: "r-1", version: "", source: .stdout, text: "abc")
        logs.append(replicaID: "r-2", version: "", source: .stdout, text: "zz")
        logs.append(replicaID: "r-1", version: "", source: .stderr, text: "é")

        #expect(logs.tail(0).map(\.offset) == [0, 0, 4])
        #expect(logs.length(of: "r-1") == 7)
    }

    @Test("The buffer keeps at most maxLines lines and maxBytes bytes, dropping the oldest")
    func boundedByLinesAndBytes() {
        let byLines = ServiceLogBuffer(maxLines: 3)
        for index in 0..<3000 { byLines.append(replicaID: "r-1", version: "", source: .stdout, text: "\(index)") }
        #expect(byLines.tail(0).map(\.text) == ["2997", "2998", "2999"])

        let byBytes = ServiceLogBuffer(maxBytes: 10)
        for text in ["aaaa", "bbbb", "cccc"] { byBytes.append(replicaID: "r-1", version: "", source: .stdout, text: text) }
        #expect(byBytes.tail(0).map(\.text) == ["bbbb", "cccc"])
    }

    @Test("follow hands over the backlog and then every new line, without gaps or repeats")
    func followStreamsNewLines() async {
        let logs = ServiceLogBuffer()
        logs.append(replicaID: "r-1", version: "", source: .stdout, text: "old 1")
        logs.append(replicaID: "r-1", version: "", source: .stdout, text: "old 2")

        let (backlog, lines) = logs.follow(tail: 1)
        logs.append(replicaID: "r-1", version: "", source: .stdout, text: "new 1")
        logs.append(replicaID: "r-1", version: "", source: .stdout, text: "new 2")
        logs.finish()

        #expect(backlog.map(\.text) == ["old 2"])
        var followed: [String] = []
        for await line in lines { followed.append(line.text) }
        #expect(followed == ["new 1", "new 2"])
        #expect(logs.followerCount == 0)
    }

    @Test("A follower that does not read loses its oldest lines; the writer never waits")
    func slowFollowerDropsOldest() async {
        let logs = ServiceLogBuffer(followerBufferLimit: 2)
        let (_, lines) = logs.follow(tail: 0)
        for index in 0..<100 { logs.append(replicaID: "r-1", version: "", source: .stdout, text: "\(index)") }
        logs.finish()

        var followed: [String] = []
        for await line in lines { followed.append(line.text) }
        #expect(followed == ["98", "99"])
    }

    @Test("A follower that stops iterating is detached")
    func cancelledFollowerIsDetached() async {
        let logs = ServiceLogBuffer()
        let task = Task {
            let (_, lines) = logs.follow(tail: 0)
            for await _ in lines {}
        }
        while logs.followerCount == 0 { await Task.yield() }
        task.cancel()
        await task.value
        #expect(logs.followerCount == 0)
    }
}

@Suite("GetLogs tail")
struct GetLogsTailTests {
    @Test("tail_lines counts from the end of each replica's log, keeping the interleaving")
    func tailIsPerReplica() {
        let logs = ServiceLogBuffer()
        for (replica, text) in [("r-1", "a1"), ("r-2", "b1"), ("r-1", "a2"), ("r-1", "a3"), ("r-2", "b2")] {
            logs.append(replicaID: replica, version: "", source: .stdout, text: text)
        }

        let last = DeploymentService.last(1, perReplicaOf: logs.tail(0))

        #expect(last.map(\.text) == ["a3", "b2"])
        #expect(DeploymentService.last(0, perReplicaOf: logs.tail(0)).count == 5)
    }
}
