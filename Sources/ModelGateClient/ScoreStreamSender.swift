public import ModelGateAPI
internal import ModelGateRPC
internal import Synchronization

/// The sending half of a ``ModelGateClient/scoreStream(workspace:service:key:timeout:_:)``
/// call: fills in the workspace, the service and a request id unique on the call.
public struct ScoreStreamSender: Sendable {
    private let sender: RequestSender<ScoreRequest>
    private let workspace: String
    private let service: String
    private let counter = Counter()

    init(sender: RequestSender<ScoreRequest>, workspace: String, service: String) {
        self.sender = sender
        self.workspace = workspace
        self.service = service
    }

    /// Sends one request; suspends while the server is not taking more.
    ///
    /// - Parameters:
    ///   - body: the request body `run(raw_data)` receives.
    ///   - requestID: the id to match its response by; `nil` numbers requests from 1.
    /// - Returns: The request id.
    @discardableResult
    public func send(body: [UInt8], requestID: String? = nil, headers: [String: String] = [:], timeoutMs: UInt32 = 0) async throws -> String {
        var request = ScoreRequest()
        request.requestID = requestID ?? "\(self.counter.next())"
        request.workspace = self.workspace
        request.service = self.service
        request.body = body
        request.headers = headers
        request.timeoutMs = timeoutMs
        try await self.sender.send(request)
        return request.requestID
    }

    /// Sends a request as it is; its workspace and service are filled in when empty.
    public func send(_ request: ScoreRequest) async throws {
        var request = request
        if request.workspace.isEmpty { request.workspace = self.workspace }
        if request.service.isEmpty { request.service = self.service }
        try await self.sender.send(request)
    }

    /// Says that no more requests follow; responses keep coming until every request is answered.
    public func finish() async throws {
        try await self.sender.finish()
    }

    /// Numbers the call's requests.
    private final class Counter: Sendable {
        private let value = Mutex(0)

        func next() -> Int {
            self.value.withLock {
                $0 += 1
                return $0
            }
        }
    }
}
