import Testing

@testable import ModelGateClient

@Suite("Server addresses")
struct ServerAddressTests {
    @Test("HOST:PORT, [IPv6]:PORT and bare hosts parse", arguments: [
        ("127.0.0.1:7070", "127.0.0.1", 7070),
        ("localhost", "localhost", 7070),
        ("[::1]:9000", "::1", 9000),
        ("[::1]", "::1", 7070),
        (" example.org:1 ", "example.org", 1),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let address = try #require(ServerAddress(parsing: text))
        #expect(address.host == host)
        #expect(address.port == port)
    }

    @Test("Malformed addresses are refused", arguments: ["", ":7070", "host:", "host:0", "host:65536", "host:http", "[::1", "::1:80"])
    func refuses(text: String) {
        #expect(ServerAddress(parsing: text) == nil)
    }

    @Test("IPv6 hosts print in brackets")
    func printsIPv6InBrackets() {
        #expect(ServerAddress(host: "::1", port: 80).description == "[::1]:80")
        #expect(ServerAddress(host: "a.b", port: 80).description == "a.b:80")
    }
}
