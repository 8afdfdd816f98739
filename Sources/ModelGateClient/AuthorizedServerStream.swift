internal import ModelGateAPI
internal import ModelGateRPC
internal import ModelGateWire
internal import Synchronization

/// The state behind a server-streaming control-plane call made with the
/// client's access token: the call opens on the first `next()`, signing in
/// first if the client has no token, and once more if the server rejects the
/// token before sending anything (as ``ModelGateClient/authorizedUnary(_:_:as:)``
/// does for unary calls). Each response is turned into zero or more elements
/// (a batch of log lines into lines).
final class AuthorizedServerStream<Request: ProtoMessage, Response: ProtoMessage, Element: Sendable>: Sendable {
    private struct State {
        var responses: AsyncThrowingStream<Response, any Error>?
        var pending: [Element] = []
        var receivedAny = false
        var retried = false
        var finished = false
    }

    private let client: ModelGateClient
    private let method: String
    private let request: Request
    private let transform: @Sendable (Response) -> [Element]
    private let state = Mutex(State())

    init(client: ModelGateClient, method: String, request: Request, transform: @escaping @Sendable (Response) -> [Element]) {
        self.client = client
        self.method = method
        self.request = request
        self.transform = transform
    }

    /// The elements as an async sequence; dropping it before its end cancels the call.
    var elements: AsyncThrowingStream<Element, any Error> {
        AsyncThrowingStream(unfolding: { try await self.next() })
    }

    func next() async throws -> Element? {
        while true {
            let (buffered, finished) = self.state.withLock { state -> (Element?, Bool) in
                state.pending.isEmpty ? (nil, state.finished) : (state.pending.removeFirst(), false)
            }
            if let buffered { return buffered }
            if finished { return nil }
            let responses = try await self.openIfNeeded()
            // The stream is built with `unfolding`, so a fresh iterator continues where the last one stopped.
            var iterator = responses.makeAsyncIterator()
            let response: Response?
            do {
                response = try await iterator.next()
            } catch let error as RPCError where error.code == .unauthenticated && self.mayRetry() {
                // The token went stale before the call started: sign in again and reopen.
                _ = try await self.client.signIn()
                self.state.withLock { $0.responses = nil }
                continue
            } catch {
                self.state.withLock { $0.finished = true; $0.responses = nil }
                throw error
            }
            guard let response else {
                self.state.withLock { $0.finished = true; $0.responses = nil }
                return nil
            }
            let elements = self.transform(response)
            self.state.withLock {
                $0.receivedAny = true
                $0.pending += elements
            }
        }
    }

    /// Whether an `UNAUTHENTICATED` answer may be retried: only once, and only before any response.
    private func mayRetry() -> Bool {
        self.state.withLock { state in
            guard !state.receivedAny, !state.retried else { return false }
            state.retried = true
            return true
        }
    }

    private func openIfNeeded() async throws -> AsyncThrowingStream<Response, any Error> {
        if let open = self.state.withLock({ $0.responses }) { return open }
        var token = self.client.accessToken.withLock { $0 }
        if token == nil {
            token = try await self.client.signIn().accessToken
            // A fresh token cannot be stale: do not sign in a second time.
            self.state.withLock { $0.retried = true }
        }
        let responses = self.client.rpc.serverStreaming(
            self.method, self.request, metadata: ["authorization": "Bearer \(token ?? "")"], as: Response.self)
        self.state.withLock { $0.responses = responses }
        return responses
    }
}
