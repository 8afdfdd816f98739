import ModelGateWire
import Synchronization

/// The state behind the response stream of a server-streaming call: opened on
/// the first `next()`, released (CANCEL if still open) at the end, on error, or
/// when the consumer drops the stream.
final class ServerStreamingCall<Response: ProtoMessage>: Sendable {
    private enum State {
        case notStarted
        case open(ClientStream)
        case done
    }

    private let state = Mutex(State.notStarted)
    private let start: @Sendable () async throws -> ClientStream
    private let release: @Sendable (UInt32) -> Void

    init(start: @escaping @Sendable () async throws -> ClientStream, release: @escaping @Sendable (UInt32) -> Void) {
        self.start = start
        self.release = release
    }

    deinit {
        if case .open(let stream) = self.state.withLock({ $0 }) { self.release(stream.id) }
    }

    func next() async throws -> Response? {
        let current = self.state.withLock { $0 }
        let stream: ClientStream
        switch current {
        case .done:
            return nil
        case .open(let open):
            stream = open
        case .notStarted:
            do {
                stream = try await self.start()
            } catch {
                self.state.withLock { $0 = .done }
                throw RPCClient.rpcError(error)
            }
            self.state.withLock { $0 = .open(stream) }
        }
        do {
            guard let bytes = try await stream.inbound.next() else {
                self.finish(stream)
                return nil
            }
            return try RPCClient.decode(Response.self, bytes)
        } catch {
            self.finish(stream)
            throw RPCClient.rpcError(error)
        }
    }

    private func finish(_ stream: ClientStream) {
        self.state.withLock { $0 = .done }
        self.release(stream.id)
    }
}
