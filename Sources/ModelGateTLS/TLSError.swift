internal import CModelGateOpenSSL

/// A TLS failure: a file that cannot be used, a handshake the peer or we
/// refused, or a fatal alert on an open connection.
///
/// The message says what failed and carries OpenSSL's own reason (for example
/// `certificate verify failed` or `tlsv1 alert no application protocol`), so a
/// user can tell a wrong CA file from a wrong protocol version.
public struct TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }

    /// `what`, followed by the reasons on this thread's OpenSSL error queue,
    /// which this empties (a stale entry would be blamed on the next call).
    static func openSSL(_ what: String, detail: String? = nil) -> TLSError {
        var reasons: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while mg_err_next(&buffer, buffer.count) != 0 {
            let reason = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            reasons.append(Self.shorten(reason))
        }
        if let detail { reasons.append(detail) }
        guard !reasons.isEmpty else { return TLSError(what) }
        return TLSError("\(what): \(reasons.joined(separator: "; "))")
    }

    /// `error:0A000086:SSL routines::certificate verify failed` → `certificate verify failed`.
    private static func shorten(_ reason: String) -> String {
        guard let range = reason.firstRange(of: "::") else { return reason }
        return String(reason[range.upperBound...])
    }
}
