internal import NIOCore

/// Host names as certificates see them: an IP address literal goes in an
/// `IP:` subjectAltName and is checked as an address, anything else as a DNS name.
enum HostName {
    static func isIPAddress(_ text: String) -> Bool {
        (try? SocketAddress(ipAddress: text, port: 0)) != nil
    }
}
