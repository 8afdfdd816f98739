import Foundation
import ModelGateAPI
import ModelGateClient
import ModelGateTLS
import ModelGateTestSupport
import Testing

/// `modelgate serve --tls-cert/--tls-key` as a real process, probed by
/// `openssl s_client`, Python's `ssl`, raw sockets and the `modelgate` client.
@Suite("TLS, end to end", .timeLimit(.minutes(2)))
struct TLSEndToEndTests {
    /// A TLS server on development certificates made by `modelgate tls self-signed`.
    struct TLSServer {
        let certificates: ScratchFolder
        let server: ServerProcess
        var ca: String { self.certificates.path + "/pki/ca.pem" }
        var pki: String { self.certificates.path + "/pki" }
        var other: String { self.certificates.path + "/other" }

        /// - Parameter requireClientCertificates: serve with `--tls-client-ca` (the same CA).
        init(requireClientCertificates: Bool = false, live: Bool = false) throws {
            self.certificates = try ScratchFolder(prefix: "modelgate-tls-cli")
            for name in ["pki", "other"] {
                let made = try ServerProcess.run(["tls", "self-signed", "--out", self.certificates.path + "/" + name], environment: [:])
                #expect(made.status == 0, "\(made.stderr)")
            }
            // `live` serves copies that a test may replace before a SIGHUP.
            var certificate = self.certificates.path + "/pki/cert.pem"
            var key = self.certificates.path + "/pki/key.pem"
            if live {
                certificate = self.certificates.path + "/live-cert.pem"
                key = self.certificates.path + "/live-key.pem"
                try FileManager.default.copyItem(atPath: self.certificates.path + "/pki/cert.pem", toPath: certificate)
                try FileManager.default.copyItem(atPath: self.certificates.path + "/pki/key.pem", toPath: key)
            }
            var arguments = ["--tls-cert", certificate, "--tls-key", key, "--log-level", "debug"]
            var environment = ["MODELGATE_TLS_CA": self.certificates.path + "/pki/ca.pem"]
            if requireClientCertificates {
                arguments += ["--tls-client-ca", self.certificates.path + "/pki/ca.pem"]
                environment["MODELGATE_TLS_CERT"] = self.certificates.path + "/pki/client.pem"
                environment["MODELGATE_TLS_KEY"] = self.certificates.path + "/pki/client-key.pem"
            }
            self.server = try ServerProcess(extraArguments: arguments, clientEnvironment: environment)
        }

        /// `openssl s_client` against the server with stdin closed (so it ends after the handshake).
        func sClient(_ arguments: [String]) throws -> ChildProcess.Result {
            try ChildProcess.run("openssl", ["s_client", "-connect", "127.0.0.1:\(self.server.port)", "-CAfile", self.ca] + arguments)
        }
    }

    // Whether the server's preface arrives before s_client (its stdin closed)
    // hangs up is a race; the Python `ssl` test reads the preface instead.
    @Test("openssl s_client: TLS 1.3 and 1.2 with ALPN modelgate/1 and an ECDHE AEAD suite")
    func sClientHandshakes() throws {
        let tls = try TLSServer()
        let thirteen = try tls.sClient(["-tls1_3", "-alpn", "modelgate/1"])
        #expect(thirteen.status == 0, "\(thirteen.output)")
        #expect(thirteen.output.contains("New, TLSv1.3"), "\(thirteen.output)")
        #expect(thirteen.output.contains("ALPN protocol: modelgate/1"))
        #expect(thirteen.output.contains("Verify return code: 0 (ok)"))
        let twelve = try tls.sClient(["-tls1_2", "-alpn", "modelgate/1"])
        #expect(twelve.status == 0, "\(twelve.output)")
        #expect(twelve.output.contains("New, TLSv1.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"), "\(twelve.output)")
        #expect(twelve.output.contains("ALPN protocol: modelgate/1"))
    }

    @Test("openssl s_client: TLS 1.0 and 1.1, CBC and RSA-key-exchange suites, and ALPN h2 are refused by the server")
    func sClientRefusals() throws {
        let tls = try TLSServer()
        // SECLEVEL=0 lets the client offer what it otherwise would not, so the refusal is the server's.
        for version in ["-tls1", "-tls1_1"] {
            let old = try tls.sClient([version, "-cipher", "DEFAULT@SECLEVEL=0"])
            #expect(old.status != 0)
            #expect(old.output.contains("alert protocol version"), "\(version): \(old.output)")
        }
        for cipher in ["AES128-SHA", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA"] {
            let weak = try tls.sClient(["-tls1_2", "-cipher", cipher])
            #expect(weak.status != 0)
            #expect(weak.output.contains("alert handshake failure"), "\(cipher): \(weak.output)")
        }
        let h2 = try tls.sClient(["-alpn", "h2"])
        #expect(h2.status != 0)
        #expect(h2.output.contains("alert no application protocol"), "\(h2.output)")
        // The server is unaffected.
        #expect(try tls.server.cli(["health"]).status == 0)
    }

    @Test("Python's ssl module verifies the server, negotiates modelgate/1 and reads the server's preface")
    func pythonHandshake() throws {
        let tls = try TLSServer()
        let script = """
            import socket, ssl, sys
            context = ssl.create_default_context(cafile=sys.argv[2])
            context.set_alpn_protocols(["modelgate/1"])
            with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname="localhost") as conn:
                    conn.sendall(b"MODELGATE/1\\r\\n\\r\\n")
                    preface = b""
                    while len(preface) < 15:
                        chunk = conn.recv(15 - len(preface))
                        if not chunk:
                            break
                        preface += chunk
                    print(conn.version(), conn.selected_alpn_protocol(), preface == b"MODELGATE/1\\r\\n\\r\\n")
            """
        let result = try ChildProcess.run("python3", ["-c", script, "\(tls.server.port)", tls.ca])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("TLSv1.3 modelgate/1 True"), "\(result.output)")
    }

    @Test("A plaintext client on the TLS port is refused cleanly; TLS clients carry on")
    func plaintextClientIsRefused() async throws {
        let tls = try TLSServer()
        // The CLI without TLS: a clean UNAVAILABLE, no hang.
        let refused = try ServerProcess.run(["health", "--server", "127.0.0.1:\(tls.server.port)"], environment: [:])
        #expect(refused.status == 5, "\(refused.stderr)")
        #expect(refused.stderr.contains("UNAVAILABLE"), "\(refused.stderr)")
        // And it says what to do.
        #expect(refused.stderr.contains("TLS"), "\(refused.stderr)")

        // The Swift client without TLS.
        await #expect(throws: RPCError.self) {
            _ = try await ModelGateClient.connect(to: ServerAddress(host: "127.0.0.1", port: tls.server.port), credentials: nil)
        }

        // A raw socket sending the plaintext preface: the server closes it.
        let raw = try ChildProcess.run("python3", ["-c", """
            import socket, sys
            with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as s:
                s.sendall(b"MODELGATE/1\\r\\n\\r\\n")
                received = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    received += chunk
                print("closed", len(received), received[:1].hex())
            """, "\(tls.server.port)"])
        #expect(raw.status == 0, "\(raw.output)")
        // Closed, after at most OpenSSL's alert record (type 0x15).
        #expect(raw.output.contains("closed 0 ") || raw.output.contains("closed 7 15"), "\(raw.output)")

        #expect(try tls.server.cli(["health"]).status == 0)
        #expect(tls.server.log.contains("TLS handshake failed"))
    }

    @Test("--tls-client-ca: no client certificate or another CA's is refused; the right one is served")
    func clientCertificates() throws {
        let tls = try TLSServer(requireClientCertificates: true)
        #expect(try tls.server.cli(["health"]).status == 0)
        let none = try ServerProcess.run(
            ["health", "--server", "127.0.0.1:\(tls.server.port)", "--tls-ca", tls.ca], environment: [:])
        #expect(none.status == 5, "\(none.stderr)")
        #expect(none.stderr.contains("certificate required"), "\(none.stderr)")
        let wrong = try ServerProcess.run(
            ["health", "--server", "127.0.0.1:\(tls.server.port)", "--tls-ca", tls.ca,
             "--tls-cert", tls.other + "/client.pem", "--tls-key", tls.other + "/client-key.pem"], environment: [:])
        #expect(wrong.status == 5, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("unknown ca"), "\(wrong.stderr)")
        let right = try ServerProcess.run(
            ["health", "--server", "127.0.0.1:\(tls.server.port)", "--tls-ca", tls.ca,
             "--tls-cert", tls.pki + "/client.pem", "--tls-key", tls.pki + "/client-key.pem"], environment: [:])
        #expect(right.status == 0, "\(right.stderr)")
    }

    @Test("SIGHUP reloads the certificate: an open connection keeps working, a new one sees the new certificate")
    func sighupReloads() async throws {
        let tls = try TLSServer(live: true)
        let client = try await ModelGateClient.connect(
            to: ServerAddress(host: "127.0.0.1", port: tls.server.port), credentials: nil,
            tls: TLSClientConfiguration(caFile: tls.ca))
        #expect(try await client.health().status == .serving)
        let before = try Self.servedFingerprint(tls)

        // Replace the files with the other PKI's and signal.
        let live = tls.certificates.path
        for (from, to) in [("other/cert.pem", "live-cert.pem"), ("other/key.pem", "live-key.pem")] {
            try FileManager.default.removeItem(atPath: live + "/" + to)
            try FileManager.default.copyItem(atPath: live + "/" + from, toPath: live + "/" + to)
        }
        let expected = try ChildProcess.run("openssl", ["x509", "-in", tls.other + "/cert.pem", "-noout", "-fingerprint", "-sha256"])
        kill(tls.server.process.processIdentifier, SIGHUP)
        var after = before
        for _ in 0..<100 where after == before {
            try await Task.sleep(for: .milliseconds(50))
            after = try Self.servedFingerprint(tls, ca: tls.other + "/ca.pem")
        }
        #expect(after != before)
        #expect(expected.output.contains(after), "\(expected.output) vs \(after)")
        #expect(tls.server.process.isRunning)
        // The connection made before the reload still works.
        #expect(try await client.health().status == .serving)
        await client.close()

        // A broken file keeps the current certificate, and the server running.
        try "garbage".write(toFile: live + "/live-key.pem", atomically: true, encoding: .utf8)
        kill(tls.server.process.processIdentifier, SIGHUP)
        for _ in 0..<100 where !tls.server.log.contains("TLS reload failed") {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(tls.server.log.contains("TLS reload failed; keeping the previous certificate"))
        #expect(try Self.servedFingerprint(tls, ca: tls.other + "/ca.pem") == after)
        #expect(tls.server.stop() == 0)
    }

    /// The SHA-256 fingerprint of the certificate the server presents now, via `s_client | x509`.
    static func servedFingerprint(_ tls: TLSServer, ca: String? = nil) throws -> String {
        let script = "openssl s_client -connect 127.0.0.1:\(tls.server.port) -CAfile \(ca ?? tls.ca) </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"
        let result = try ChildProcess.run("sh", ["-c", script])
        guard let line = result.output.split(separator: "\n").first(where: { $0.contains("Fingerprint=") }) else { return "" }
        return String(line.split(separator: "=").last ?? "")
    }
}
