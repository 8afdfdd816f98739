/// The ALPN protocol ids ModelGate speaks over TLS.
public enum TLSApplicationProtocol {
    /// The ModelGate protocol, version 1: the ALPN twin of the connection
    /// preface `MODELGATE/1\r\n\r\n` (lowercase, as ALPN ids usually are).
    public static let modelGate = "modelgate/1"

    /// ALPN's wire format: each name preceded by its length in one byte.
    static func wireFormat(_ protocols: [String]) throws(TLSError) -> [UInt8] {
        var bytes: [UInt8] = []
        for name in protocols {
            let utf8 = Array(name.utf8)
            guard (1...255).contains(utf8.count) else {
                throw TLSError("ALPN protocol '\(name)' must be 1 to 255 bytes long")
            }
            bytes.append(UInt8(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        return bytes
    }
}
