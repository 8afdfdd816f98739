/// Fired inbound (as a user event) when a ``TLSHandler`` finishes its handshake.
public struct TLSHandshakeCompleted: Sendable, Hashable {
    /// The ALPN id both sides agreed on, or `nil` when the client offered none.
    public var applicationProtocol: String?
    /// `TLSv1.2` or `TLSv1.3`.
    public var protocolVersion: String
    /// OpenSSL's name for the cipher suite, e.g. `TLS_AES_128_GCM_SHA256`.
    public var cipherSuite: String
    /// The peer's certificate's SHA-256 fingerprint (`AB:CD:...`), when it sent one.
    public var peerCertificateFingerprint: String?
}
