import ModelGateAPI
import ModelGateRPC
import ModelGateWire
import NIOPosix
import Testing

/// Calls of every kind over a real socket between ``RPCClient`` and ``RPCServer``.
@Suite("Calls over a socket")
struct CallTests {
    @Test func unaryCallEchoesTheRequest() async throws {
        try await withTestServer { server in
            // Given a connected client
            let client = try await server.makeClient()
            // When it makes a unary call
            let reply: TestMessage = try await client.unary(TestMethod.unary, TestMessage(text: "hello", number: 42, payload: [1, 2, 3]))
            // Then the reply is the request
            #expect(reply == TestMessage(text: "hello", number: 42, payload: [1, 2, 3]))
            await client.close()
        }
    }

    @Test func emptyRequestMessageIsDelivered() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let reply: TestMessage = try await client.unary(TestMethod.unary, TestMessage())
            #expect(reply == TestMessage())
            await client.close()
        }
    }

    @Test func serverStreamDeliversEveryMessageInOrder() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            var numbers: [Int64] = []
            for try await message in client.serverStreaming(TestMethod.serverStream, TestMessage(text: "n", number: 50), as: TestMessage.self) {
                numbers.append(message.number)
            }
            #expect(numbers == Array(0..<50))
            await client.close()
        }
    }

    @Test func clientStreamIsSummed() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let requests = (1...100).map { TestMessage(number: Int64($0)) }
            let reply: TestMessage = try await client.clientStreaming(TestMethod.sum, requests: requests)
            #expect(reply.number == 5050)
            #expect(reply.text == "100")
            let empty: TestMessage = try await client.clientStreaming(TestMethod.sum, requests: [TestMessage]())
            #expect(empty.number == 0 && empty.text == "0")
            await client.close()
        }
    }

    @Test func bidirectionalStreamEchoesEachMessage() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let echoed = try await client.bidirectional(
                TestMethod.bidi, requestType: TestMessage.self, responseType: TestMessage.self
            ) { sender, responses in
                var echoed: [String] = []
                var iterator = responses.makeAsyncIterator()
                for index in 0..<20 {
                    try await sender.send(TestMessage(text: "m\(index)"))
                    echoed.append(try #require(try await iterator.next()).text)
                }
                try await sender.finish()
                #expect(try await iterator.next() == nil)
                return echoed
            }
            #expect(echoed == (0..<20).map { "m\($0)" })
            await client.close()
        }
    }

    @Test func rpcErrorIsSentAsItIs() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let error = await #expect(throws: RPCError.self) {
                let _: TestMessage = try await client.unary(TestMethod.fail, TestMessage(text: "rpc"))
            }
            #expect(error?.code == .notFound)
            #expect(error?.message == "workspace 'w1' not found")
            #expect(error?.details == ["name": "w1"])
            await client.close()
        }
    }

    @Test func convertibleErrorIsConverted() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let error = await #expect(throws: RPCError.self) {
                let _: TestMessage = try await client.unary(TestMethod.fail, TestMessage(text: "convertible"))
            }
            #expect(error?.code == .resourceExhausted)
            #expect(error?.message == "quota of 3 exceeded")
            await client.close()
        }
    }

    @Test func unknownErrorBecomesInternalWithoutItsCause() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let error = await #expect(throws: RPCError.self) {
                let _: TestMessage = try await client.unary(TestMethod.fail, TestMessage(text: "other"))
            }
            #expect(error?.code == .internal)
            #expect(error?.message == "internal error")
            await client.close()
        }
    }

    @Test func unknownMethodIsUnimplementedAndNamed() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let error = await #expect(throws: RPCError.self) {
                let _: TestMessage = try await client.unary("/test.Echo/Nope", TestMessage())
            }
            #expect(error?.code == .unimplemented)
            #expect(error?.message.contains("/test.Echo/Nope") == true)
            try await server.expectServesOthers()
            await client.close()
        }
    }

    @Test func deadlineExceededEndsTheCallAndCancelsTheHandler() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let start = ContinuousClock.now
            let error = await #expect(throws: RPCError.self) {
                let _: TestMessage = try await client.unary(TestMethod.slow, TestMessage(number: 10_000), timeout: .milliseconds(100))
            }
            #expect(error?.code == .deadlineExceeded)
            #expect(ContinuousClock.now - start < .seconds(5))
            // The handler's sleep was cancelled: no handler keeps running.
            #expect(await server.eventually { server.server.activeCallCount == 0 })
            await client.close()
        }
    }

    @Test func serverEnforcesTheDeadlineItIsSent() async throws {
        try await withTestServer { server in
            // Given a raw client that sends a 50 ms timeout but never gives up itself
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            try await raw.sendHeaders(streamID: 1, method: TestMethod.slow, timeoutMicros: 50_000)
            try await raw.sendFrame(.message, flags: .endStream, streamID: 1, payload: TestMessage(number: 10_000).encoded())
            // Then the server ends the call with DEADLINE_EXCEEDED
            let trailers = try #require(try await raw.readTrailers(streamID: 1))
            #expect(trailers.code == .deadlineExceeded)
            #expect(await server.eventually { server.server.activeCallCount == 0 })
            await raw.close()
        }
    }

    @Test func clientCancellationReachesTheHandler() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            // Given a call whose handler waits to be cancelled
            let call = Task {
                let _: TestMessage = try await client.unary(TestMethod.waitForCancel, TestMessage())
            }
            #expect(await server.eventually { server.probe.callsStarted == 1 })
            // When the calling task is cancelled
            call.cancel()
            let result = await call.result
            // Then the caller gets CANCELLED and the handler observed Task.isCancelled
            #expect(throws: RPCError.self) { try result.get() }
            #expect(await server.eventually { server.probe.sawCancellation })
            #expect(await server.eventually { server.server.activeCallCount == 0 })
            try await server.expectServesOthers()
            await client.close()
        }
    }

    @Test func slowReaderSuspendsTheHandlersWritesUntilItReads() async throws {
        var clientLimits = RPCLimits()
        clientLimits.initialStreamWindow = 64 * 1024
        clientLimits.initialConnectionWindow = 1024 * 1024
        try await withTestServer { server in
            // Given a client with a 64 KiB stream window asking for 100 messages of 8 KiB
            let client = try await server.makeClient(limits: clientLimits)
            let request = TestMessage(number: 100, payload: [UInt8](repeating: 7, count: 8 * 1024))
            var iterator = client.serverStreaming(TestMethod.flood, request, as: TestMessage.self).makeAsyncIterator()
            let first = try #require(try await iterator.next())
            #expect(first.number == 0)
            // When it stops reading, the handler's writes stop after about one window
            // (waiting until the count has not moved for 300 ms: a loaded machine may take a while to get there)
            var stalled = server.probe.floodWritten
            var unchangedSince = ContinuousClock.now
            let giveUp = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now - unchangedSince < .milliseconds(300), ContinuousClock.now < giveUp {
                try await Task.sleep(for: .milliseconds(25))
                let written = server.probe.floodWritten
                if written != stalled {
                    stalled = written
                    unchangedSince = ContinuousClock.now
                }
            }
            #expect(stalled >= 7 && stalled <= 12, "wrote \(stalled) messages of 8 KiB into a 64 KiB window")
            // Then reading resumes it, and every message arrives
            var count = 1
            while let message = try await iterator.next() {
                #expect(message.number == Int64(count))
                count += 1
            }
            #expect(count == 100)
            #expect(server.probe.floodWritten == 100)
            await client.close()
        }
    }

    @Test func largeMessagesRoundTripAcrossWindowUpdates() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let payload = (0..<(3 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0) }
            let replies = try await client.bidirectional(
                TestMethod.bidi, requestType: TestMessage.self, responseType: TestMessage.self
            ) { sender, responses in
                // Send and read at once: the echo handler blocks on its writes
                // until the client reads, as flow control intends.
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        for _ in 0..<8 { try await sender.send(TestMessage(payload: payload)) }
                        try await sender.finish()
                        return 0
                    }
                    group.addTask {
                        var count = 0
                        for try await reply in responses {
                            #expect(reply.payload == payload)
                            count += 1
                        }
                        return count
                    }
                    return try await group.reduce(0, +)
                }
            }
            #expect(replies == 8)
            await client.close()
        }
    }

    @Test func pingIsAnswered() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            let roundTrip = try await client.ping()
            #expect(roundTrip < .seconds(5))
            await client.close()
        }
    }

    @Test func twoHundredConcurrentCallsOnOneConnectionSucceed() async throws {
        try await withTestServer { server in
            let client = try await server.makeClient()
            // The server allows 100 streams at once; the client waits for free ones.
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let reply: TestMessage = try await client.unary(TestMethod.slow, TestMessage(number: Int64(index % 20)))
                        return reply.number
                    }
                }
                var sum: Int64 = 0
                for try await number in group { sum += number }
                #expect(sum == (0..<200).reduce(0) { $0 + Int64($1 % 20) })
            }
            await client.close()
        }
    }

    @Test func gracefulShutdownFinishesInFlightCallsAndRefusesNewOnes() async throws {
        let probe = HandlerProbe()
        var configuration = RPCServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.drainTimeout = .seconds(5)
        let server = RPCServer(
            configuration: configuration, router: makeTestRouter(probe: probe),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: makeTestLogger()
        )
        let running = Task { try await server.run() }
        let port = try await server.boundPort()
        let harness = TestServer(server: server, port: port, probe: probe)
        let client = try await harness.makeClient()
        let raw = try await harness.makeRawClient()
        _ = try await raw.handshake()

        // Given a call in flight
        let inFlight = Task {
            let reply: TestMessage = try await client.unary(TestMethod.slow, TestMessage(text: "in flight", number: 300))
            return reply
        }
        #expect(await harness.eventually { probe.callsStarted == 1 })

        // When the server shuts down gracefully
        server.triggerGracefulShutdown()

        // Then peers get GO_AWAY with OK
        let goAway = try #require(try await raw.readGoAway())
        #expect(goAway.code == .ok)
        // and new calls are refused
        let refused = await #expect(throws: RPCError.self) {
            let _: TestMessage = try await client.unary(TestMethod.unary, TestMessage())
        }
        #expect(refused?.code == .unavailable)
        // and the in-flight call completes
        #expect(try await inFlight.value.text == "in flight")
        // and the server stops once drained
        try await running.value
        #expect(server.connectionCount == 0)
        await client.close()
        await raw.close()
    }

    @Test func drainTimeoutClosesLeftoverCallsAndTheClientSeesUnavailable() async throws {
        try await withTestServer(configure: { $0.drainTimeout = .milliseconds(100) }) { server in
            let client = try await server.makeClient()
            // Given a call that outlives the drain timeout
            let call = Task {
                let _: TestMessage = try await client.unary(TestMethod.slow, TestMessage(number: 5_000))
            }
            #expect(await server.eventually { server.probe.callsStarted == 1 })
            // When the server drains
            server.server.triggerGracefulShutdown()
            // Then the connection is closed after the timeout and the call fails UNAVAILABLE
            let error = await #expect(throws: RPCError.self) { try await call.value }
            #expect(error?.code == .unavailable)
            #expect(await server.eventually { !client.isConnected })
            #expect(await server.eventually { server.server.activeCallCount == 0 })
        }
    }
}
