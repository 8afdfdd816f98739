public import ModelGateAPI
internal import ModelGateRPC
internal import Synchronization

/// Scoring: one request (unary), or many over one call (bidirectional stream).
///
/// Scoring calls carry the service's key (`authorization: Bearer <key>`), or a
/// service token in the same place, never the client's sign-in token: a
/// scoring client needs no principal, only the key from
/// ``keys(workspace:service:)``. A service with auth off needs no key.
///
/// ```swift
/// let answer = try await client.score(
///     workspace: "ml-prod", service: "linreg", body: Array(#"{"data": [[1, 2, 3]]}"#.utf8), key: keys.primaryKey)
/// print(String(decoding: answer.body, as: UTF8.self))   // {"predictions": [6.29...]}
/// ```
extension ModelGateClient {
    /// Scores one request, as an HTTP POST to Azure's scoring URI does.
    ///
    /// - Parameters:
    ///   - body: the request body `run(raw_data)` receives, usually JSON.
    ///   - key: the service's primary or secondary key (or a service token); `nil` sends none.
    ///   - timeout: how long this request may take; the service's `scoring_timeout_ms` caps it.
    ///   - headers: request headers (lower-case names) for a `run()` that declares `request_headers`.
    /// - Parameter version: an endpoint version to score with (for testing a
    ///   treatment); empty lets the endpoint's traffic split choose. The answer's
    ///   `version` says which version served.
    /// - Returns: The answer; its `body` is what `run()` returned, serialised.
    /// - Throws: ``RPCError``: `UNAUTHENTICATED` for a missing or wrong key, `INTERNAL` with the
    ///   exception's message when `run()` raised, `DEADLINE_EXCEEDED`, `RESOURCE_EXHAUSTED`
    ///   when no replica was free within `max_request_wait_time`.
    public func score(
        workspace: String, service: String, body: [UInt8], key: String? = nil, timeout: Duration? = nil,
        headers: [String: String] = [:], contentType: String = "", version: String = ""
    ) async throws -> ScoreResponse {
        var request = ScoreRequest()
        request.workspace = workspace
        request.service = service
        request.version = version
        request.body = body
        request.headers = headers
        request.contentType = contentType
        if let timeout {
            let milliseconds = (timeout / .milliseconds(1)).rounded(.up)
            request.timeoutMs = milliseconds >= Double(UInt32.max) ? UInt32.max : UInt32(max(1, milliseconds))
        }
        return try await self.rpc.unary(
            ModelGateMethods.Scoring.score, request, metadata: Self.scoringMetadata(key: key), timeout: timeout)
    }

    /// Scores many requests over one bidirectional call.
    ///
    /// `body` gets a ``ScoreStreamSender`` to send requests with (each gets a
    /// request id, returned by `send`) and the responses, which come as requests
    /// finish, in any order, matched by `requestID`. A failed request fails only
    /// its own response (its `code` and `message`), never the call. The server
    /// stops reading requests while responses are not read, so a slow reader
    /// holds the sender back rather than growing the server's memory; send from
    /// a child task if you read responses while sending. Finish the sender when
    /// done; returning from `body` before the server ends the call cancels it.
    ///
    /// ```swift
    /// let answers = try await client.scoreStream(workspace: "ml-prod", service: "linreg", key: key) { sender, responses in
    ///     try await withThrowingTaskGroup(of: Void.self) { group in
    ///         group.addTask {
    ///             for row in rows { _ = try await sender.send(body: row) }
    ///             try await sender.finish()
    ///         }
    ///         var answers: [ScoreResponse] = []
    ///         for try await response in responses { answers.append(response) }
    ///         try await group.waitForAll()
    ///         return answers
    ///     }
    /// }
    /// ```
    public func scoreStream<Result: Sendable>(
        workspace: String, service: String, key: String? = nil, timeout: Duration? = nil,
        _ body: @Sendable (ScoreStreamSender, AsyncThrowingStream<ScoreResponse, any Error>) async throws -> Result
    ) async throws -> Result {
        try await self.rpc.bidirectional(
            ModelGateMethods.Scoring.scoreStream, metadata: Self.scoringMetadata(key: key), timeout: timeout,
            requestType: ScoreRequest.self, responseType: ScoreResponse.self
        ) { sender, responses in
            try await body(ScoreStreamSender(sender: sender, workspace: workspace, service: service), responses)
        }
    }

    /// Scores many bodies over one streaming call and returns their answers in the order of `bodies`.
    ///
    /// A failed request does not throw: its answer carries the failure's `code` and `message`.
    public func score(workspace: String, service: String, bodies: [[UInt8]], key: String? = nil) async throws -> [ScoreResponse] {
        try await self.scoreStream(workspace: workspace, service: service, key: key) { sender, responses in
            try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    var ids: [String] = []
                    for body in bodies { ids.append(try await sender.send(body: body)) }
                    try await sender.finish()
                    return ids
                }
                var answers: [String: ScoreResponse] = [:]
                for try await response in responses {
                    answers[response.requestID] = response
                }
                let ids = try await group.next() ?? []
                return try ids.map { id in
                    guard let answer = answers[id] else {
                        throw RPCError(code: .internal, message: "the server ended ScoreStream without answering request '\(id)'")
                    }
                    return answer
                }
            }
        }
    }

    /// `authorization: Bearer <key>`, or nothing without a key.
    static func scoringMetadata(key: String?) -> [String: String] {
        guard let key, !key.isEmpty else { return [:] }
        return ["authorization": "Bearer \(key)"]
    }
}
