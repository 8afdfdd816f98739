internal import Foundation
internal import ModelGateAPI
internal import Synchronization

/// The recent output of one service's replicas: a bounded ring of lines that
/// `GetLogs` reads (``tail(_:matching:)``) and follows (``follow(tail:matching:)``).
///
/// Writers are the replicas' pipe readers, which run on event loops: an append
/// takes a short lock, never waits for a reader and never fails. When the ring
/// is full (by lines or by bytes) the oldest lines go. A follower that reads
/// slower than the replicas write loses the oldest of its unread lines rather
/// than slowing anybody down (its stream buffers at most
/// ``followerBufferLimit`` lines).
///
/// ```swift
/// let logs = ServiceLogBuffer()
/// logs.append(replicaID: "r-1", version: "", source: .stdout, text: "model loaded")
/// let last = logs.tail(100)
/// let (backlog, lines) = logs.follow(tail: 10)
/// ```
final class ServiceLogBuffer: Sendable {
    /// Most lines kept.
    let maxLines: Int
    /// Most bytes of text kept (all lines together).
    let maxBytes: Int
    /// Lines a follower may have unread before it loses the oldest.
    let followerBufferLimit: Int

    private let clock: WallClock
    private let state: Mutex<State>

    private struct State: ~Copyable {
        /// The lines kept are `storage[start...]`; dropping the oldest moves
        /// `start`, and the dead prefix is compacted away now and then, so both
        /// ends cost O(1) amortised.
        var storage: [ServiceLogLine] = []
        var start = 0
        var bytes = 0
        /// Each replica's log length so far, for line offsets.
        var offsets: [String: Int64] = [:]
        var followers: [UInt64: Follower] = [:]
        var nextFollowerID: UInt64 = 0
        var finished = false

        var count: Int { self.storage.count - self.start }

        mutating func dropOldest() {
            self.bytes -= self.storage[self.start].text.utf8.count
            self.start += 1
            if self.start >= 1024, self.start * 2 >= self.storage.count {
                self.storage.removeFirst(self.start)
                self.start = 0
            }
        }
    }

    private struct Follower {
        var filter: ServiceLogFilter
        var continuation: AsyncStream<ServiceLogLine>.Continuation
    }

    /// - Parameters:
    ///   - maxLines: most lines kept; default 10,000.
    ///   - maxBytes: most bytes of text kept; default 8 MiB.
    ///   - followerBufferLimit: unread lines a follower may have; default 10,000.
    ///   - clock: stamps each line.
    init(maxLines: Int = 10_000, maxBytes: Int = 8 << 20, followerBufferLimit: Int = 10_000, clock: WallClock = .system) {
        precondition(maxLines > 0 && maxBytes > 0 && followerBufferLimit > 0, "log buffer limits must be positive")
        self.maxLines = maxLines
        self.maxBytes = maxBytes
        self.followerBufferLimit = followerBufferLimit
        self.clock = clock
        self.state = Mutex(State())
    }

    /// Appends one line (without its newline) and hands it to every matching follower.
    func append(replicaID: String, version: String, source: LogSource, text: String) {
        let timestamp = self.clock.now().millisecondsSince1970
        let size = text.utf8.count
        self.state.withLock { state in
            let offset = state.offsets[replicaID, default: 0]
            state.offsets[replicaID] = offset + Int64(size) + 1
            let line = ServiceLogLine(
                replicaID: replicaID, version: version, source: source, timestampUnixMs: timestamp, text: text, offset: offset
            )
            state.storage.append(line)
            state.bytes += size
            while state.count > self.maxLines || (state.bytes > self.maxBytes && state.count > 1) {
                state.dropOldest()
            }
            // Yielding to an AsyncStream only buffers; it never calls back into this lock.
            for follower in state.followers.values where follower.filter.matches(line) {
                follower.continuation.yield(line)
            }
        }
    }

    /// The last `count` lines that match `filter`, oldest first; all of them when `count` is 0.
    func tail(_ count: Int, matching filter: ServiceLogFilter = .all) -> [ServiceLogLine] {
        self.state.withLock { state in Self.tail(count, filter, in: state) }
    }

    /// The last `count` matching lines and, atomically with them, a stream of
    /// every matching line appended afterwards: no line is missed or repeated
    /// between the two.
    ///
    /// The stream ends when the consumer stops iterating or the buffer is
    /// ``finish()``ed. A consumer that falls more than ``followerBufferLimit``
    /// lines behind loses the oldest of them.
    func follow(tail count: Int, matching filter: ServiceLogFilter = .all) -> (backlog: [ServiceLogLine], lines: AsyncStream<ServiceLogLine>) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ServiceLogLine.self, bufferingPolicy: .bufferingNewest(self.followerBufferLimit)
        )
        let (backlog, id, finished) = self.state.withLock { state -> ([ServiceLogLine], UInt64, Bool) in
            let backlog = Self.tail(count, filter, in: state)
            guard !state.finished else { return (backlog, 0, true) }
            let id = state.nextFollowerID
            state.nextFollowerID += 1
            state.followers[id] = Follower(filter: filter, continuation: continuation)
            return (backlog, id, false)
        }
        if finished {
            continuation.finish()
        } else {
            // Runs outside the lock: `finish()` calls it synchronously.
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.followers.removeValue(forKey: id) }
            }
        }
        return (backlog, stream)
    }

    /// How many bytes replica `replicaID` has written so far (the offset its next line gets).
    func length(of replicaID: String) -> Int64 {
        self.state.withLock { $0.offsets[replicaID, default: 0] }
    }

    /// Lines held now.
    var count: Int { self.state.withLock { $0.count } }

    /// Followers attached now.
    var followerCount: Int { self.state.withLock { $0.followers.count } }

    /// Ends every follower's stream (the service is gone); later follows end at once.
    /// Appends are still kept, so the last lines of a deleted service stay readable.
    func finish() {
        let continuations = self.state.withLock { state -> [AsyncStream<ServiceLogLine>.Continuation] in
            state.finished = true
            defer { state.followers = [:] }
            return state.followers.values.map(\.continuation)
        }
        for continuation in continuations { continuation.finish() }
    }

    private static func tail(_ count: Int, _ filter: ServiceLogFilter, in state: borrowing State) -> [ServiceLogLine] {
        var result: [ServiceLogLine] = []
        // Walk backwards so a small tail of a big buffer costs little.
        var index = state.storage.count - 1
        while index >= state.start, count == 0 || result.count < count {
            let line = state.storage[index]
            if filter.matches(line) { result.append(line) }
            index -= 1
        }
        result.reverse()
        return result
    }
}
