/// The files a TLS server is made from; read again on every reload.
public struct TLSServerConfiguration: Sendable, Hashable {
    /// PEM: the server's certificate, then any intermediates.
    public var certificateChainFile: String
    /// PEM: the certificate's private key.
    public var privateKeyFile: String
    /// PEM: the CAs a client certificate must chain to. When set, every
    /// client must present a certificate they signed; when `nil`, none is asked for.
    public var clientCAFile: String?
    /// The ALPN ids the server accepts. A client offering only others is
    /// refused with a `no_application_protocol` alert; a client offering none
    /// is accepted (tools such as `openssl s_client` without `-alpn`), and
    /// the protocol's own preface check still applies to it.
    public var applicationProtocols: [String] = [TLSApplicationProtocol.modelGate]

    public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
    }
}
