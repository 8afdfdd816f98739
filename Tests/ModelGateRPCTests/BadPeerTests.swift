import ModelGateAPI
import ModelGateRPC
import ModelGateWire
import Testing

/// Peers that break the protocol, each over its own real socket. After each,
/// a second, well-behaved client on another connection must still be served.
@Suite("Bad peers close only their own connection")
struct BadPeerTests {
    @Test func wrongPrefaceGetsGoAwayAndClose() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            try await raw.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            _ = try await raw.readServerHandshake()
            let goAway = try #require(try await raw.readGoAway())
            #expect(goAway.code == .invalidArgument)
            #expect(goAway.message.contains("preface"))
            #expect(await raw.waitForClose())
            try await server.expectServesOthers()
        }
    }

    @Test func truncatedFrameThenCloseLeavesNoConnectionBehind() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            // A header announcing 100 bytes, then only 10 of them, then close.
            var bytes = RawFrameClient.frameBytes(.headers, streamID: 1, payload: [UInt8](repeating: 0, count: 100))
            bytes.removeLast(90)
            try await raw.send(bytes)
            await raw.close()
            #expect(await server.eventually { server.server.connectionCount == 0 })
            try await server.expectServesOthers()
        }
    }

    @Test(arguments: [UInt32(4 * 1024 * 1024 + 1), UInt32.max])
    func lengthAboveTheLimitIsRefusedBeforeBuffering(length: UInt32) async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            // Only the header: the server must refuse on the length alone.
            var header: [UInt8] = []
            FrameHeader(length: length, type: .message, streamID: 1).write(to: &header)
            try await raw.send(header)
            let goAway = try #require(try await raw.readGoAway())
            #expect(goAway.code == .resourceExhausted)
            #expect(goAway.message.contains("\(length)"))
            #expect(goAway.message.contains("limit of \(4 * 1024 * 1024)"))
            #expect(await raw.waitForClose())
            try await server.expectServesOthers()
        }
    }

    @Test func unknownFrameTypeGetsGoAway() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            var bytes: [UInt8] = []
            FrameHeader(length: 0, type: FrameType(rawValue: 42), streamID: 1).write(to: &bytes)
            try await raw.send(bytes)
            let goAway = try #require(try await raw.readGoAway())
            #expect(goAway.code == .invalidArgument)
            #expect(goAway.message.contains("unknown frame type 42"))
            #expect(await raw.waitForClose())
            try await server.expectServesOthers()
        }
    }

    @Test func frameOnANeverOpenedStreamGetsGoAway() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            try await raw.sendFrame(.message, streamID: 7, payload: TestMessage(text: "x").encoded())
            let goAway = try #require(try await raw.readGoAway())
            #expect(goAway.code == .invalidArgument)
            #expect(goAway.message.contains("never opened"))
            #expect(await raw.waitForClose())
            try await server.expectServesOthers()
        }
    }

    @Test func evenStreamIDGetsGoAway() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            try await raw.sendHeaders(streamID: 2, method: TestMethod.unary)
            let goAway = try #require(try await raw.readGoAway())
            #expect(goAway.message.contains("even"))
            #expect(await raw.waitForClose())
            try await server.expectServesOthers()
        }
    }

    @Test func nonIncreasingStreamIDGetsGoAway() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            try await raw.sendHeaders(streamID: 5, method: TestMethod.unary, endStream: true)
            try await raw.sendHeaders(streamID: 3, method: TestMethod.unary, endStream: true)
            let goAway = try #require(try await raw.readGoAway())
            #expect(goAway.message.contains("not greater than the last stream id 5"))
            #expect(await raw.waitForClose())
            try await server.expectServesOthers()
        }
    }

    /// Malformed request messages: the call fails INVALID_ARGUMENT with the
    /// codec's reason; the connection stays usable.
    @Test(arguments: [
        ("varint longer than 10 bytes", [0x10] + [UInt8](repeating: 0xFF, count: 10) + [0x01], "varint"),
        ("wrong wire type for a known field", [0x08, 0x01], "wire type"),
        ("length-delimited field past its message", [0x0A, 50, 0x61, 0x62, 0x63], "runs past"),
        ("invalid UTF-8 in a string", [0x0A, 0x02, 0xC3, 0x28], "UTF-8"),
    ] as [(String, [UInt8], String)])
    func malformedRequestIsInvalidArgument(name: String, payload: [UInt8], reason: String) async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            try await raw.sendHeaders(streamID: 1, method: TestMethod.unary)
            try await raw.sendFrame(.message, flags: .endStream, streamID: 1, payload: payload)
            let trailers = try #require(try await raw.readTrailers(streamID: 1))
            #expect(trailers.code == .invalidArgument, "\(name)")
            #expect(trailers.message.contains("malformed test.TestMessage"), "\(name): \(trailers.message)")
            #expect(trailers.message.contains(reason), "\(name): \(trailers.message)")
            // The same connection still serves a good call.
            try await raw.sendHeaders(streamID: 3, method: TestMethod.unary)
            try await raw.sendFrame(.message, flags: .endStream, streamID: 3, payload: TestMessage(text: "ok").encoded())
            let ok = try #require(try await raw.readTrailers(streamID: 3))
            #expect(ok.code == .ok)
            try await server.expectServesOthers()
            await raw.close()
        }
    }

    @Test func unknownMethodOnARawStreamIsUnimplemented() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            try await raw.sendHeaders(streamID: 1, method: "/nope.Service/Missing", endStream: true)
            let trailers = try #require(try await raw.readTrailers(streamID: 1))
            #expect(trailers.code == .unimplemented)
            #expect(trailers.message.contains("/nope.Service/Missing"))
            try await server.expectServesOthers()
            await raw.close()
        }
    }

    @Test func oversizedCallHeadersAreResourceExhaustedOnTheStream() async throws {
        var limits = RPCLimits()
        limits.maxHeaderSize = 1024
        try await withTestServer(limits: limits) { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            var headers = CallHeaders()
            headers.method = TestMethod.unary
            headers.metadata = ["big": String(repeating: "x", count: 2000)]
            try await raw.sendFrame(.headers, flags: .endStream, streamID: 1, payload: headers.encoded())
            let trailers = try #require(try await raw.readTrailers(streamID: 1))
            #expect(trailers.code == .resourceExhausted)
            #expect(trailers.message.contains("limit of 1024 bytes"))
            try await server.expectServesOthers()
            await raw.close()
        }
    }

    @Test func streamsOverTheLimitAreRefusedAndTheOthersComplete() async throws {
        var limits = RPCLimits()
        limits.maxConcurrentStreams = 2
        try await withTestServer(limits: limits) { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            // Given four slow calls opened at once on a connection that allows two
            var bytes: [UInt8] = []
            for streamID in [UInt32(1), 3, 5, 7] {
                var headers = CallHeaders()
                headers.method = TestMethod.slow
                bytes += RawFrameClient.frameBytes(.headers, streamID: streamID, payload: headers.encoded())
                bytes += RawFrameClient.frameBytes(.message, flags: .endStream, streamID: streamID, payload: TestMessage(number: 200).encoded())
            }
            try await raw.send(bytes)
            // Then the extra two get RESOURCE_EXHAUSTED, and the first two complete
            var outcomes: [UInt32: StatusCode] = [:]
            var messages: Set<UInt32> = []
            while outcomes.count < 4, let frame = try await raw.readFrame() {
                if frame.type == .trailers { outcomes[frame.streamID] = try frame.trailers().code }
                if frame.type == .message { messages.insert(frame.streamID) }
            }
            #expect(outcomes == [1: .ok, 3: .ok, 5: .resourceExhausted, 7: .resourceExhausted])
            #expect(messages == [1, 3])
            try await server.expectServesOthers()
            await raw.close()
        }
    }

    @Test func rapidOpenAndCancelIsStoppedByTheBudget() async throws {
        var limits = RPCLimits()
        limits.maxCancellationsPerSecond = 100
        try await withTestServer(limits: limits) { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            // Given a client that opens and cancels calls in a tight loop
            var headers = CallHeaders()
            headers.method = TestMethod.waitForCancel
            let headerBytes = headers.encoded()
            let request = TestMessage().encoded()
            var streamID: UInt32 = 1
            var closedByServer = false
            for _ in 0..<50 {
                var batch: [UInt8] = []
                for _ in 0..<100 {
                    batch += RawFrameClient.frameBytes(.headers, streamID: streamID, payload: headerBytes)
                    batch += RawFrameClient.frameBytes(.message, flags: .endStream, streamID: streamID, payload: request)
                    batch += RawFrameClient.frameBytes(.cancel, streamID: streamID)
                    streamID += 2
                }
                do {
                    try await raw.send(batch)
                } catch {
                    closedByServer = true
                    break
                }
            }
            // Then the server sends GO_AWAY for the budget and closes the connection
            let goAway = try #require(try await raw.readGoAway())
            #expect(goAway.code == .resourceExhausted)
            #expect(goAway.message.contains("cancelled streams"))
            #expect(await raw.waitForClose())
            _ = closedByServer
            // and every handler it started has stopped
            #expect(await server.eventually { server.server.activeCallCount == 0 })
            // and others are still answered quickly
            let start = ContinuousClock.now
            try await server.expectServesOthers()
            #expect(ContinuousClock.now - start < .seconds(30))
        }
    }

    @Test func pingFloodIsStoppedByTheControlFrameBudget() async throws {
        var limits = RPCLimits()
        limits.maxControlFramesPerSecond = 100
        try await withTestServer(limits: limits) { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            var batch: [UInt8] = []
            for index in 0..<1000 {
                batch += RawFrameClient.frameBytes(.ping, streamID: 0, payload: withUnsafeBytes(of: UInt64(index).bigEndian, Array.init))
            }
            try? await raw.send(batch)
            let goAway = try #require(try await raw.readGoAway())
            #expect(goAway.code == .resourceExhausted)
            #expect(goAway.message.contains("control frames"))
            #expect(await raw.waitForClose())
            try await server.expectServesOthers()
        }
    }

    @Test func silentPeerIsClosedAfterTheHandshakeTimeout() async throws {
        var limits = RPCLimits()
        // Long enough that a loaded machine still sends the preface in time.
        limits.handshakeTimeout = .seconds(1)
        try await withTestServer(limits: limits) { server in
            // Given a peer that sends only the preface and then nothing
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            // Then it gets GO_AWAY and is closed
            let goAway = try #require(try await raw.readGoAway(timeout: .seconds(10)))
            #expect(goAway.code == .deadlineExceeded)
            #expect(await raw.waitForClose())
            try await server.expectServesOthers()
        }
    }

    @Test func connectionsOverTheLimitAreRefusedWithAReason() async throws {
        try await withTestServer(configure: { $0.maxConnections = 1 }) { server in
            let first = try await server.makeClient()
            let error = await #expect(throws: RPCError.self) {
                _ = try await server.makeClient()
            }
            #expect(error?.code == .resourceExhausted)
            #expect(error?.message.contains("limit of 1 connections") == true)
            // The first connection is still served.
            let reply: TestMessage = try await first.unary(TestMethod.unary, TestMessage(text: "first"))
            #expect(reply.text == "first")
            await first.close()
        }
    }
}

@Suite("Request message count")
struct RequestCountTests {
    @Test func unaryCallWithTwoRequestMessagesIsInvalidArgument() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            try await raw.sendHeaders(streamID: 1, method: TestMethod.unary)
            try await raw.sendFrame(.message, streamID: 1, payload: TestMessage(text: "one").encoded())
            try await raw.sendFrame(.message, flags: .endStream, streamID: 1, payload: TestMessage(text: "two").encoded())
            let trailers = try #require(try await raw.readTrailers(streamID: 1))
            #expect(trailers.code == .invalidArgument)
            #expect(trailers.message.contains("more than one request message"))
            await raw.close()
        }
    }

    @Test func unaryCallWithoutARequestMessageIsInvalidArgument() async throws {
        try await withTestServer { server in
            let raw = try await server.makeRawClient()
            _ = try await raw.handshake()
            try await raw.sendHeaders(streamID: 1, method: TestMethod.unary, endStream: true)
            let trailers = try #require(try await raw.readTrailers(streamID: 1))
            #expect(trailers.code == .invalidArgument)
            #expect(trailers.message.contains("without a request message"))
            await raw.close()
        }
    }
}
