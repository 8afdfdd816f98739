internal import Foundation

/// A server's `HOST:PORT`, as given to `--server` or `MODELGATE_SERVER`.
///
/// IPv6 hosts are written in brackets (`[::1]:7070`), as in URLs.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// The port `modelgate serve` listens on when none is given.
    public static let defaultPort = 7070

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or a bare `HOST` (default port).
    ///
    /// - Parameters:
    ///   - text: the address.
    ///   - allowingPortZero: whether port 0 ("any free port", for listening) is accepted.
    /// - Returns: `nil` when the text is not an address.
    public init?(parsing text: String, allowingPortZero: Bool = false) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            // A bare IPv6 address is ambiguous with a port: require brackets.
            guard text.lastIndex(of: ":") == colon else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = Substring(text)
        }
        guard !host.isEmpty else { return nil }
        var port = Self.defaultPort
        if let portText {
            guard let parsed = Int(portText), ((allowingPortZero ? 0 : 1)...65535).contains(parsed) else { return nil }
            port = parsed
        }
        self.init(host: String(host), port: port)
    }

    public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}
