import Foundation
import ModelGateTLS
import ModelGateTestSupport
import NIOCore
import NIOPosix
import Testing

/// Two development PKIs (CA, server and client certificates) in a scratch folder.
struct TwoAuthorities {
    let folder: ScratchFolder
    var first: String { self.folder.path + "/first" }
    var second: String { self.folder.path + "/second" }

    init() throws {
        self.folder = try ScratchFolder(prefix: "modelgate-tls")
        try DevelopmentCertificates.write(to: self.folder.path + "/first", hosts: ["example.test"])
        try DevelopmentCertificates.write(to: self.folder.path + "/second")
    }

    func server(_ directory: String, clientCA: String? = nil) throws -> TLSContext {
        try TLSContext.server(TLSServerConfiguration(
            certificateChainFile: directory + "/cert.pem", privateKeyFile: directory + "/key.pem", clientCAFile: clientCA))
    }

    func client(trusting directory: String, certificateFrom clientDirectory: String? = nil) throws -> TLSContext {
        try TLSContext.client(TLSClientConfiguration(
            caFile: directory + "/ca.pem",
            certificateChainFile: clientDirectory.map { $0 + "/client.pem" },
            privateKeyFile: clientDirectory.map { $0 + "/client-key.pem" }))
    }
}

@Suite("TLS handler over real sockets", .timeLimit(.minutes(1)))
struct TLSHandlerTests {
    @Test("The handshake agrees on TLS 1.3 and modelgate/1; a megabyte in odd-sized writes echoes back intact")
    func handshakeAndDataBothWays() async throws {
        let pki = try TwoAuthorities()
        let serverContext = try pki.server(pki.first)
        try await TLSPeer.withEchoServer(context: { serverContext }) { port in
            let (channel, recorder) = try await TLSPeer.connect(port: port, context: try pki.client(trusting: pki.first))
            let handshake = try await recorder.handshakeOutcome(channel).get()
            #expect(handshake.applicationProtocol == "modelgate/1")
            #expect(handshake.protocolVersion == "TLSv1.3")
            #expect(handshake.peerCertificateFingerprint == serverContext.certificateFingerprint)

            // Writes of odd sizes split and join records on the way; the echo must match byte for byte.
            let payload = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
            var offset = 0
            var size = 1
            while offset < payload.count {
                let end = min(payload.count, offset + size)
                channel.write(ByteBuffer(bytes: payload[offset..<end]), promise: nil)
                offset = end
                size = size * 3 % 40_000 + 7
            }
            try await channel.writeAndFlush(ByteBuffer()).get()
            let echoed = try await recorder.bytes(payload.count, on: channel)
            // Compared outside #expect, which would render a megabyte on failure.
            let intact = echoed == payload
            #expect(intact, "echoed \(echoed.count) bytes of \(payload.count), first difference at \(String(describing: echoed.indices.first { echoed[$0] != payload[$0] }))")
            try await channel.close()
        }
    }

    @Test("Writes made before the handshake ends are sent once it does")
    func writesBeforeHandshakeAreHeld() async throws {
        let pki = try TwoAuthorities()
        let serverContext = try pki.server(pki.first)
        try await TLSPeer.withEchoServer(context: { serverContext }) { port in
            let (channel, recorder) = try await TLSPeer.connect(port: port, context: try pki.client(trusting: pki.first))
            // Connect returns while the handshake is still in flight.
            let written = channel.eventLoop.makePromise(of: Void.self)
            channel.writeAndFlush(ByteBuffer(string: "early"), promise: written)
            #expect(try await recorder.bytes(5, on: channel) == Array("early".utf8))
            try await written.futureResult.get()
            try await channel.close()
        }
    }

    @Test("A server certificate from another CA fails verification, and says so")
    func untrustedServerIsRefused() async throws {
        let pki = try TwoAuthorities()
        let serverContext = try pki.server(pki.second)
        try await TLSPeer.withEchoServer(context: { serverContext }) { port in
            let (channel, recorder) = try await TLSPeer.connect(port: port, context: try pki.client(trusting: pki.first))
            let outcome = try await recorder.handshakeOutcome(channel)
            guard case .failure(let error) = outcome else { Issue.record("handshake succeeded"); return }
            #expect("\(error)".contains("certificate verify failed"), "\(error)")
        }
    }

    @Test("A host name the certificate does not carry is refused; one given with --host is accepted")
    func hostNameIsChecked() async throws {
        let pki = try TwoAuthorities()
        let serverContext = try pki.server(pki.first)
        try await TLSPeer.withEchoServer(context: { serverContext }) { port in
            let (wrong, wrongRecorder) = try await TLSPeer.connect(
                port: port, context: try pki.client(trusting: pki.first), serverHostname: "other.example")
            guard case .failure(let error) = try await wrongRecorder.handshakeOutcome(wrong) else {
                Issue.record("handshake succeeded for a name the certificate lacks")
                return
            }
            #expect("\(error)".contains("hostname mismatch"), "\(error)")
            for name in ["example.test", "127.0.0.1", "localhost"] {
                let (channel, recorder) = try await TLSPeer.connect(
                    port: port, context: try pki.client(trusting: pki.first), serverHostname: name)
                _ = try await recorder.handshakeOutcome(channel).get()
                try await channel.close()
            }
        }
    }

    @Test("A client offering only another ALPN id is refused with no_application_protocol")
    func otherApplicationProtocolIsRefused() async throws {
        let pki = try TwoAuthorities()
        let serverContext = try pki.server(pki.first)
        try await TLSPeer.withEchoServer(context: { serverContext }) { port in
            var configuration = TLSClientConfiguration(caFile: pki.first + "/ca.pem")
            configuration.applicationProtocols = ["h2"]
            let (channel, recorder) = try await TLSPeer.connect(port: port, context: try TLSContext.client(configuration))
            guard case .failure(let error) = try await recorder.handshakeOutcome(channel) else {
                Issue.record("handshake succeeded with ALPN h2")
                return
            }
            #expect("\(error)".contains("no application protocol"), "\(error)")
        }
    }

    @Test("Client certificates: none or another CA's is refused, the right CA's accepted")
    func clientCertificatesAreChecked() async throws {
        let pki = try TwoAuthorities()
        let serverContext = try pki.server(pki.first, clientCA: pki.first + "/ca.pem")
        try await TLSPeer.withEchoServer(context: { serverContext }) { port in
            for clientDirectory in [nil, pki.second] {
                let (channel, recorder) = try await TLSPeer.connect(
                    port: port, context: try pki.client(trusting: pki.first, certificateFrom: clientDirectory))
                // TLS 1.3 clients finish before the server checks their certificate: the refusal
                // arrives as an alert on the first read.
                channel.writeAndFlush(ByteBuffer(string: "hello"), promise: nil)
                let error = try await recorder.closeError(channel)
                #expect(error is TLSError, "\(String(describing: error))")
                let message = "\(String(describing: error))"
                #expect(message.contains("certificate required") || message.contains("unknown ca"), "\(message)")
            }
            let (channel, recorder) = try await TLSPeer.connect(
                port: port, context: try pki.client(trusting: pki.first, certificateFrom: pki.first))
            try await channel.writeAndFlush(ByteBuffer(string: "hello")).get()
            #expect(try await recorder.bytes(5, on: channel) == Array("hello".utf8))
            try await channel.close()
        }
    }

    @Test("A server closing sends close_notify: the client sees a clean close, no error")
    func closeNotifyEndsCleanly() async throws {
        let pki = try TwoAuthorities()
        let serverContext = try pki.server(pki.first)
        try await TLSPeer.withEchoServer(context: { serverContext }) { port in
            let (channel, recorder) = try await TLSPeer.connect(port: port, context: try pki.client(trusting: pki.first))
            try await channel.writeAndFlush(ByteBuffer(string: "ping")).get()
            #expect(try await recorder.bytes(4, on: channel) == Array("ping".utf8))
            try await channel.writeAndFlush(ByteBuffer(string: "bye")).get()
            let error = try await recorder.closeError(channel)
            #expect(error == nil, "\(String(describing: error))")
        }
    }

    @Test("Plaintext on a TLS port fails that connection's handshake, and the server serves the next")
    func plaintextPeerIsRefused() async throws {
        let pki = try TwoAuthorities()
        let serverContext = try pki.server(pki.first)
        try await TLSPeer.withEchoServer(context: { serverContext }) { port in
            let raw = Recorder()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(raw) } }
                .connect(host: "127.0.0.1", port: port).get()
            try await channel.writeAndFlush(ByteBuffer(string: "MODELGATE/1\r\n\r\n")).get()
            // The server answers with an alert (or nothing) and closes.
            _ = try await raw.closeError(channel)

            let (tls, recorder) = try await TLSPeer.connect(port: port, context: try pki.client(trusting: pki.first))
            _ = try await recorder.handshakeOutcome(tls).get()
            try await tls.close()
        }
    }

    @Test("Reload: new connections get the new certificate, open ones keep working; a bad file keeps the old one")
    func reloadSwapsContextsWithoutDroppingConnections() async throws {
        let pki = try TwoAuthorities()
        let live = try ScratchFolder(prefix: "modelgate-tls-live")
        for name in ["cert.pem", "key.pem"] {
            try FileManager.default.copyItem(atPath: pki.first + "/" + name, toPath: live.path + "/" + name)
        }
        let reloadable = try ReloadableTLSContext(configuration: TLSServerConfiguration(
            certificateChainFile: live.path + "/cert.pem", privateKeyFile: live.path + "/key.pem"))
        let before = try #require(reloadable.current.certificateFingerprint)
        try await TLSPeer.withEchoServer(context: { reloadable.current }) { port in
            let (open, openRecorder) = try await TLSPeer.connect(port: port, context: try pki.client(trusting: pki.first))
            #expect(try await openRecorder.handshakeOutcome(open).get().peerCertificateFingerprint == before)

            for name in ["cert.pem", "key.pem"] {
                try FileManager.default.removeItem(atPath: live.path + "/" + name)
                try FileManager.default.copyItem(atPath: pki.second + "/" + name, toPath: live.path + "/" + name)
            }
            let after = try #require(try reloadable.reload().certificateFingerprint)
            #expect(after != before)

            try await open.writeAndFlush(ByteBuffer(string: "still here")).get()
            #expect(try await openRecorder.bytes(10, on: open) == Array("still here".utf8))

            let (fresh, freshRecorder) = try await TLSPeer.connect(port: port, context: try pki.client(trusting: pki.second))
            #expect(try await freshRecorder.handshakeOutcome(fresh).get().peerCertificateFingerprint == after)

            try "not a key".write(toFile: live.path + "/key.pem", atomically: true, encoding: .utf8)
            #expect(throws: TLSError.self) { try reloadable.reload() }
            #expect(reloadable.current.certificateFingerprint == after)
            try await open.close()
            try await fresh.close()
        }
    }
}
