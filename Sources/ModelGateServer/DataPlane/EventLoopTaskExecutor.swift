internal import NIOCore

/// Runs tasks that prefer it on one NIO event loop.
///
/// ``ReplicaPool`` runs its request path with this as its task-executor
/// preference, on the event loop its replicas' connections live on: writing a
/// SCORE, arming its timer, reading the RESULT, resuming the waiting request
/// and handing the freed slot to the next queued request then all happen on
/// that one thread. On Swift's global executor each of those steps was a
/// hand-over to another thread (a queue push and a futex or eventfd wake-up),
/// which cost more than the work itself.
///
/// Jobs run in order; whatever they do must not block the event loop (the
/// pool's request path only awaits).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
