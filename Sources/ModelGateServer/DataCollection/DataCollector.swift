internal import CoreMetrics
internal import Logging
internal import NIOPosix
internal import Synchronization

/// Keeps every scoring input and output of the services with
/// `collect_model_data` on, in JSON-lines files per workspace, service,
/// version and UTC day under `<data>/collected` (see ``CollectedDataFiles``).
///
/// The request path calls ``record(_:)``, which only appends to a bounded
/// in-memory buffer under a lock: it never waits for the disk. One writer
/// (``run()``) takes the whole buffer at a time (at most once per
/// ``Configuration/batchInterval``), encodes it and appends it on the
/// blocking thread pool. When the buffer is full (by records or by
/// bytes) a record is dropped rather than slowing scoring; drops are counted
/// (`modelgate_collected_records_dropped_total`, ``counts``) and logged as a
/// warning at most once per ``Configuration/dropWarningInterval``.
///
/// Shutdown: the server drains its calls first, then calls ``finish()``; the
/// writer writes what is left, `fsync`s and closes every file, and ``run()``
/// returns. A record accepted before the call that produced it was answered
/// is therefore on disk when the process exits.
final class DataCollector: Sendable {
    /// Buffer bounds and the body size limit.
    struct Configuration: Sendable {
        /// Records waiting for the writer, at most.
        var maxBufferedRecords = 10_000
        /// Bytes (bodies plus a per-record allowance) waiting for the writer, at most.
        var maxBufferedBytes = 64 << 20
        /// A body larger than this is kept as its size only, so one huge
        /// request cannot fill the buffer.
        var maxBodyBytes = 1 << 20
        /// Least time between two warnings about dropped records.
        var dropWarningInterval: Duration = .seconds(5)
        /// How long the writer lets records gather after the first one
        /// arrives, so that a steady trickle costs one `write` per file per
        /// interval rather than one per request.
        var batchInterval: Duration = .milliseconds(10)

        init() {}
    }

    /// What the collector has done so far.
    struct Counts: Sendable, Equatable {
        /// Records appended to their files.
        var written = 0
        /// Records refused because the buffer was full (or the collector finished).
        var dropped = 0
        /// Records lost to a file-system error (logged).
        var failed = 0
    }

    let configuration: Configuration
    /// `<data>/collected`.
    let root: String
    private let state: Mutex<State>
    private let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    /// Used only by the writer, one batch at a time.
    private let files: UncheckedFiles
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let writtenCounter = Counter(label: "modelgate_collected_records_total")
    private let droppedCounter = Counter(label: "modelgate_collected_records_dropped_total")

    private struct State {
        var pending: [ModelDataRecord] = []
        var pendingBytes = 0
        /// Records accepted so far; ``flush()`` waits for the writer to reach a value of it.
        var accepted: UInt64 = 0
        /// Accepted records the writer has finished with (written or failed).
        var processed: UInt64 = 0
        var counts = Counts()
        var droppedSinceWarning = 0
        /// No record is accepted any more.
        var finished = false
        /// The writer has closed the files and will write nothing more.
        var closed = false
        var flushWaiters: [(upTo: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
    }

    /// `@unchecked Sendable`: the files are touched only by the writer task,
    /// which runs one batch at a time (it awaits each before taking the next).
    private final class UncheckedFiles: @unchecked Sendable {
        let files: CollectedDataFiles
        init(_ files: CollectedDataFiles) { self.files = files }
    }

    init(root: String, configuration: Configuration = Configuration(), threadPool: NIOThreadPool = .singleton, logger: Logger) {
        self.root = root
        self.configuration = configuration
        self.state = Mutex(State())
        (self.wakeUps, self.wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.files = UncheckedFiles(CollectedDataFiles(root: root))
        self.threadPool = threadPool
        self.logger = logger
    }

    /// What has been written and dropped so far.
    var counts: Counts { self.state.withLock { $0.counts } }

    /// Queues a record for the writer without waiting.
    ///
    /// - Returns: `false` when it was dropped: the buffer is full, or the
    ///   collector has finished.
    @discardableResult
    func record(_ record: ModelDataRecord) -> Bool {
        let size = record.bufferedByteCount
        let accepted = self.state.withLock { state -> Bool in
            guard !state.finished,
                  state.pending.count < self.configuration.maxBufferedRecords,
                  state.pendingBytes + size <= self.configuration.maxBufferedBytes
            else {
                state.counts.dropped += 1
                state.droppedSinceWarning += 1
                return false
            }
            state.pending.append(record)
            state.pendingBytes += size
            state.accepted += 1
            return true
        }
        if accepted {
            self.wakeUp.yield()
        } else {
            self.droppedCounter.increment()
        }
        return accepted
    }

    /// Waits until every record accepted before this call is on disk (or
    /// failed), so a read that follows sees them.
    func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = self.state.withLock { state -> Bool in
                if state.closed || state.processed >= state.accepted { return true }
                state.flushWaiters.append((state.accepted, continuation))
                return false
            }
            if resumeNow { continuation.resume() }
            else { self.wakeUp.yield() }
        }
    }

    /// Stops accepting records; ``run()`` then writes what is buffered,
    /// closes the files and returns.
    func finish() {
        self.state.withLock { $0.finished = true }
        self.wakeUp.finish()
    }

    /// The writer: runs until ``finish()`` (or cancellation), then drains the
    /// buffer, syncs and closes every file.
    func run() async {
        var lastWarning: ContinuousClock.Instant?
        for await _ in self.wakeUps {
            if !self.state.withLock({ $0.finished }) {
                // Cancellation only cuts the wait short; the batch is written all the same.
                try? await Task.sleep(for: self.configuration.batchInterval)
            }
            await self.writeBatch()
            self.warnAboutDrops(last: &lastWarning, force: false)
        }
        // Finished or cancelled: nothing may stay in memory.
        self.state.withLock { $0.finished = true }
        while await self.writeBatch() {}
        let files = self.files
        await self.onBlockingThread { files.files.closeAll() }
        let waiters = self.state.withLock { state in
            state.closed = true
            defer { state.flushWaiters.removeAll() }
            return state.flushWaiters
        }
        for waiter in waiters { waiter.continuation.resume() }
        self.warnAboutDrops(last: &lastWarning, force: true)
        let counts = self.counts
        self.logger.info("Model data collection stopped", metadata: [
            "collect.written": "\(counts.written)", "collect.dropped": "\(counts.dropped)", "collect.failed": "\(counts.failed)",
        ])
    }

    /// Writes everything buffered now as one batch.
    ///
    /// - Returns: whether there was anything to write.
    @discardableResult
    private func writeBatch() async -> Bool {
        let (batch, upTo) = self.state.withLock { state in
            let batch = state.pending
            state.pending = []
            state.pendingBytes = 0
            return (batch, state.accepted)
        }
        var written = 0
        var errors: [String] = []
        if !batch.isEmpty {
            let files = self.files
            (written, errors) = await self.onBlockingThread { files.files.append(batch) }
        }
        let failed = batch.count - written
        let ready = self.state.withLock { state in
            state.processed = upTo
            state.counts.written += written
            state.counts.failed += failed
            let ready = state.flushWaiters.filter { $0.upTo <= upTo }
            state.flushWaiters.removeAll { $0.upTo <= upTo }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
        if written > 0 { self.writtenCounter.increment(by: written) }
        if !errors.isEmpty {
            self.logger.error("Could not write collected model data", metadata: [
                "collect.failed": "\(failed)", "error": "\(errors.joined(separator: "; "))",
            ])
        }
        return !batch.isEmpty
    }

    /// Logs the records dropped since the last warning, at most once per interval (unless `force`).
    private func warnAboutDrops(last: inout ContinuousClock.Instant?, force: Bool) {
        let now = ContinuousClock.now
        if !force, let last, now - last < self.configuration.dropWarningInterval { return }
        let (dropped, total) = self.state.withLock { state in
            defer { state.droppedSinceWarning = 0 }
            return (state.droppedSinceWarning, state.counts.dropped)
        }
        guard dropped > 0 else { return }
        last = now
        self.logger.warning("Model data collection dropped records: its buffer was full", metadata: [
            "collect.dropped": "\(dropped)", "collect.dropped.total": "\(total)",
            "collect.buffer.records": "\(self.configuration.maxBufferedRecords)",
            "collect.buffer.bytes": "\(self.configuration.maxBufferedBytes)",
        ])
    }

    /// Runs blocking file work on the thread pool (inline if the pool has stopped).
    private func onBlockingThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        do {
            return try await self.threadPool.runIfActive(work)
        } catch {
            return work()
        }
    }
}
