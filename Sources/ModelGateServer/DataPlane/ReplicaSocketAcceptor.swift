internal import Foundation
internal import Logging
internal import NIOCore
internal import Synchronization

/// The listening Unix socket one local replica connects back to: accepts
/// exactly one connection, installs the replica protocol on it, then stops
/// listening and removes the socket file.
///
/// Each replica (and each restart) gets a socket of its own in a directory
/// only the server's user can enter, so a connection on it can only be that
/// replica; the protocol itself carries no credentials.
final class ReplicaSocketAcceptor: Sendable {
    let socketPath: String
    private let replicaID: String
    private let maxPayload: Int
    private let logger: Logger
    private let promise: EventLoopPromise<ReplicaConnection>
    private let state = Mutex(State())

    private struct State {
        var listener: (any Channel)?
        var done = false
    }

    init(socketPath: String, replicaID: String, maxPayload: Int, eventLoop: any EventLoop, logger: Logger) {
        self.socketPath = socketPath
        self.replicaID = replicaID
        self.maxPayload = maxPayload
        self.logger = logger
        self.promise = eventLoop.makePromise(of: ReplicaConnection.self)
    }

    /// The replica's connection, once it has connected.
    var connection: EventLoopFuture<ReplicaConnection> { self.promise.futureResult }

    /// Records the listening channel, so it can be closed once done.
    func listening(on listener: any Channel) {
        let closeNow = self.state.withLock { state -> Bool in
            if state.done { return true }
            state.listener = listener
            return false
        }
        if closeNow { listener.close(promise: nil) }
    }

    /// Called from the listener's child channel initializer, on the child's event loop.
    func accept(_ channel: any Channel) throws {
        let first = self.state.withLock { state -> Bool in
            guard !state.done else { return false }
            state.done = true
            return true
        }
        guard first else {
            // Only the replica was told the path; a second connection is refused.
            throw ReplicaProtocolError("replica \(self.replicaID) is already connected")
        }
        let connection = try ReplicaConnection.install(
            on: channel, replicaID: self.replicaID, maxPayload: self.maxPayload, logger: self.logger,
            whenActive: { self.stopListening() }
        )
        self.promise.succeed(connection)
    }

    /// Stops waiting: the replica exited or is being stopped before it connected.
    func fail(_ reason: String) {
        self.state.withLock { $0.done = true }
        self.promise.fail(ReplicaConnectionError.closed(reason: reason))
        self.stopListening()
    }

    private func stopListening() {
        let listener = self.state.withLock { state -> (any Channel)? in
            defer { state.listener = nil }
            return state.listener
        }
        listener?.close(promise: nil)
        try? FileManager.default.removeItem(atPath: self.socketPath)
    }
}
