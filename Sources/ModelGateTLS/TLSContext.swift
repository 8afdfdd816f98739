internal import CModelGateOpenSSL
internal import Foundation

/// An OpenSSL `SSL_CTX`: the certificates, trust and policy that every
/// connection made from it shares.
///
/// Policy, for servers and clients alike: TLS 1.2 and 1.3 only; on 1.2 only
/// ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 (forward secrecy,
/// AEAD); on 1.3 OpenSSL's defaults (all AEAD); no renegotiation, no
/// compression; ALPN offered (client) or required to match when offered (server).
///
/// `@unchecked Sendable`: the `SSL_CTX` is configured in `init` and never
/// changed afterwards; OpenSSL documents creating `SSL` objects from one
/// context on many threads as safe. Each ``TLSHandler`` keeps its context
/// alive (the ALPN list the server callback reads is owned here), and OpenSSL
/// counts the context's references from its connections, so replacing the
/// context on reload leaves open connections untouched.
public final class TLSContext: @unchecked Sendable {
    /// TLS 1.2 suites allowed: ECDHE with an AEAD, ECDSA or RSA certificates.
    static let tls12Ciphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    let pointer: OpaquePointer
    let isServer: Bool
    /// Client: the name checked against the server's certificate, if not the host.
    let serverName: String?
    /// Server: the ALPN list `mg_alpn_select` reads; freed with the context.
    private let alpnBytes: UnsafeMutableBufferPointer<UInt8>?
    private let alpnList: UnsafeMutablePointer<mg_alpn_list>?

    /// The served (server) or presented (client) certificate's SHA-256
    /// fingerprint, uppercase hex with colons as `openssl x509 -fingerprint`
    /// prints it; `nil` for a client without a certificate.
    public let certificateFingerprint: String?

    private init(
        pointer: OpaquePointer, isServer: Bool, serverName: String?,
        alpnBytes: UnsafeMutableBufferPointer<UInt8>?, alpnList: UnsafeMutablePointer<mg_alpn_list>?
    ) {
        self.pointer = pointer
        self.isServer = isServer
        self.serverName = serverName
        self.alpnBytes = alpnBytes
        self.alpnList = alpnList
        self.certificateFingerprint = SSL_CTX_get0_certificate(pointer).flatMap { X509Certificate.fingerprint(of: $0) }
    }

    deinit {
        SSL_CTX_free(self.pointer)
        self.alpnList?.deallocate()
        self.alpnBytes?.deallocate()
    }

    /// A server context from certificate and key files (and a client CA file
    /// when client certificates are required).
    ///
    /// - Throws: ``TLSError`` naming the file that cannot be read or used, or a
    ///   key that does not match the certificate.
    public static func server(_ configuration: TLSServerConfiguration) throws(TLSError) -> TLSContext {
        let pointer = try Self.makeContext(method: TLS_server_method())
        var alpnBytes: UnsafeMutableBufferPointer<UInt8>?
        var alpnList: UnsafeMutablePointer<mg_alpn_list>?
        do throws(TLSError) {
            try Self.useCertificate(pointer, chain: configuration.certificateChainFile, key: configuration.privateKeyFile, role: "server")
            if let clientCA = configuration.clientCAFile {
                try Self.checkReadable(clientCA, what: "client CA file")
                guard SSL_CTX_load_verify_locations(pointer, clientCA, nil) == 1,
                    let names = SSL_load_client_CA_file(clientCA)
                else { throw TLSError.openSSL("cannot load the client CA file '\(clientCA)'") }
                SSL_CTX_set_client_CA_list(pointer, names)
                SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
            }
            // Resumed sessions must belong to this server's verification settings.
            let sessionContext = Array("modelgate".utf8)
            _ = SSL_CTX_set_session_id_context(pointer, sessionContext, UInt32(sessionContext.count))
            let wire = try TLSApplicationProtocol.wireFormat(configuration.applicationProtocols)
            let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(wire.count, 1))
            _ = bytes.initialize(from: wire)
            let list = UnsafeMutablePointer<mg_alpn_list>.allocate(capacity: 1)
            list.initialize(to: mg_alpn_list(data: UnsafePointer(bytes.baseAddress), length: UInt32(wire.count)))
            alpnBytes = bytes
            alpnList = list
            mg_ssl_ctx_set_alpn_select(pointer, list)
        } catch {
            SSL_CTX_free(pointer)
            alpnList?.deallocate()
            alpnBytes?.deallocate()
            throw error
        }
        return TLSContext(pointer: pointer, isServer: true, serverName: nil, alpnBytes: alpnBytes, alpnList: alpnList)
    }

    /// A client context: the trust roots, an optional client certificate, the ALPN offer.
    ///
    /// - Throws: ``TLSError`` naming a file that cannot be read or used.
    public static func client(_ configuration: TLSClientConfiguration) throws(TLSError) -> TLSContext {
        let pointer = try Self.makeContext(method: TLS_client_method())
        do throws(TLSError) {
            if let caFile = configuration.caFile {
                try Self.checkReadable(caFile, what: "CA file")
                guard SSL_CTX_load_verify_locations(pointer, caFile, nil) == 1 else {
                    throw TLSError.openSSL("cannot load the CA file '\(caFile)'")
                }
            } else if SSL_CTX_set_default_verify_paths(pointer) != 1 {
                throw TLSError.openSSL("cannot load the system's trusted CAs")
            }
            SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER, nil)
            switch (configuration.certificateChainFile, configuration.privateKeyFile) {
            case (let chain?, let key?):
                try Self.useCertificate(pointer, chain: chain, key: key, role: "client")
            case (nil, nil):
                break
            default:
                throw TLSError("a client certificate needs both its certificate file and its key file")
            }
            let wire = try TLSApplicationProtocol.wireFormat(configuration.applicationProtocols)
            // Unlike most of OpenSSL, 0 means success here.
            guard wire.isEmpty || SSL_CTX_set_alpn_protos(pointer, wire, UInt32(wire.count)) == 0 else {
                throw TLSError.openSSL("cannot set the ALPN protocols")
            }
        } catch {
            SSL_CTX_free(pointer)
            throw error
        }
        return TLSContext(pointer: pointer, isServer: false, serverName: configuration.serverName, alpnBytes: nil, alpnList: nil)
    }

    private static func makeContext(method: OpaquePointer?) throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let pointer = SSL_CTX_new(method) else { throw TLSError.openSSL("cannot create a TLS context") }
        guard mg_ssl_ctx_set_min_proto_version(pointer, TLS1_2_VERSION) == 1,
            mg_ssl_ctx_set_max_proto_version(pointer, TLS1_3_VERSION) == 1,
            SSL_CTX_set_cipher_list(pointer, Self.tls12Ciphers) == 1
        else {
            SSL_CTX_free(pointer)
            throw TLSError.openSSL("cannot set the TLS versions and ciphers")
        }
        mg_ssl_ctx_harden(pointer)
        return pointer
    }

    private static func useCertificate(_ pointer: OpaquePointer, chain: String, key: String, role: String) throws(TLSError) {
        try Self.checkReadable(chain, what: "\(role) certificate file")
        try Self.checkReadable(key, what: "\(role) key file")
        guard SSL_CTX_use_certificate_chain_file(pointer, chain) == 1 else {
            throw TLSError.openSSL("'\(chain)' is not a PEM certificate chain")
        }
        guard SSL_CTX_use_PrivateKey_file(pointer, key, SSL_FILETYPE_PEM) == 1 else {
            let error = TLSError.openSSL("'\(key)' is not a PEM private key")
            if error.message.contains("key values mismatch") {
                throw TLSError("the key in '\(key)' does not match the certificate in '\(chain)'")
            }
            throw error
        }
        guard SSL_CTX_check_private_key(pointer) == 1 else {
            throw TLSError.openSSL("the key in '\(key)' does not match the certificate in '\(chain)'")
        }
    }

    private static func checkReadable(_ path: String, what: String) throws(TLSError) {
        guard access(path, R_OK) == 0 else {
            throw TLSError("cannot read the \(what) '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
