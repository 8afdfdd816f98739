/// How a client connects over TLS and checks the server.
public struct TLSClientConfiguration: Sendable, Hashable {
    /// PEM: the CAs the server's certificate must chain to; `nil` uses the
    /// system's trust store.
    public var caFile: String?
    /// PEM: a client certificate (and intermediates), for servers that require one.
    public var certificateChainFile: String?
    /// PEM: the client certificate's private key.
    public var privateKeyFile: String?
    /// The name the server's certificate must carry (a DNS name or an IP
    /// address, checked against its subjectAltName) and sent as SNI when it is
    /// a DNS name; `nil` uses the host the client connects to.
    public var serverName: String?
    /// The ALPN ids offered, in order of preference.
    public var applicationProtocols: [String] = [TLSApplicationProtocol.modelGate]

    public init(caFile: String? = nil, certificateChainFile: String? = nil, privateKeyFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.serverName = serverName
    }
}
