import ModelGateAPI
import ModelGateRPC
import Synchronization

/// What the test handlers report back to the tests.
final class HandlerProbe: Sendable {
    private struct State {
        var sawCancellation = false
        var floodWritten = 0
        var callsStarted = 0
    }

    private let state = Mutex(State())

    var sawCancellation: Bool { self.state.withLock { $0.sawCancellation } }
    var floodWritten: Int { self.state.withLock { $0.floodWritten } }
    var callsStarted: Int { self.state.withLock { $0.callsStarted } }

    func recordCancellation() { self.state.withLock { $0.sawCancellation = true } }
    func recordFloodWrite() { self.state.withLock { $0.floodWritten += 1 } }
    func recordCallStarted() { self.state.withLock { $0.callsStarted += 1 } }
}

/// A domain error that knows its status, as the server's errors will.
struct QuotaError: RPCErrorConvertible {
    var rpcErrorCode: StatusCode { .resourceExhausted }
    var rpcErrorMessage: String { "quota of 3 exceeded" }
}

/// An error the transport knows nothing about.
struct SecretError: Error {
    var secret = "do-not-send-me"
}

enum TestMethod {
    static let unary = "/test.Echo/Unary"
    static let serverStream = "/test.Echo/ServerStream"
    static let sum = "/test.Echo/Sum"
    static let bidi = "/test.Echo/Bidi"
    static let slow = "/test.Echo/Slow"
    static let waitForCancel = "/test.Echo/WaitForCancel"
    static let fail = "/test.Echo/Fail"
    static let flood = "/test.Echo/Flood"
}

/// The router every socket test serves.
func makeTestRouter(probe: HandlerProbe) -> RPCRouter {
    var router = RPCRouter()
    router.unary(TestMethod.unary) { (request: TestMessage, _) in
        request
    }
    // Sends `number` responses numbered 0..<number, each with `payload` echoed.
    router.serverStreaming(TestMethod.serverStream) { (request: TestMessage, _, writer: ResponseWriter<TestMessage>) in
        for index in 0..<request.number {
            try await writer.write(TestMessage(text: request.text, number: index, payload: request.payload))
        }
    }
    router.clientStreaming(TestMethod.sum) { (requests: RequestStream<TestMessage>, _) in
        var sum: Int64 = 0
        var count: Int64 = 0
        for try await request in requests {
            sum += request.number
            count += 1
        }
        return TestMessage(text: "\(count)", number: sum)
    }
    router.bidirectional(TestMethod.bidi) { (requests: RequestStream<TestMessage>, writer: ResponseWriter<TestMessage>, _) in
        for try await request in requests {
            try await writer.write(request)
        }
    }
    // Sleeps `number` milliseconds, then echoes.
    router.unary(TestMethod.slow) { (request: TestMessage, _) -> TestMessage in
        probe.recordCallStarted()
        try await Task.sleep(for: .milliseconds(request.number))
        return request
    }
    router.unary(TestMethod.waitForCancel) { (request: TestMessage, _) -> TestMessage in
        probe.recordCallStarted()
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
        probe.recordCancellation()
        throw CancellationError()
    }
    router.unary(TestMethod.fail) { (request: TestMessage, _) -> TestMessage in
        switch request.text {
        case "rpc": throw RPCError(code: .notFound, message: "workspace 'w1' not found", details: ["name": "w1"])
        case "convertible": throw QuotaError()
        default: throw SecretError()
        }
    }
    // Writes `number` messages of `payload.count` bytes, counting each write that returned.
    router.serverStreaming(TestMethod.flood) { (request: TestMessage, _, writer: ResponseWriter<TestMessage>) in
        for index in 0..<request.number {
            try await writer.write(TestMessage(number: index, payload: request.payload))
            probe.recordFloodWrite()
        }
    }
    return router
}
