internal import ArgumentParser
internal import Foundation
internal import ModelGateClient
internal import ModelGateTLS

/// How output is printed: readable text, or JSON for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// The options every client command shares: where the server is, who to be, how to print.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The server's HOST:PORT (default: MODELGATE_SERVER, else the address in the credentials file, else 127.0.0.1:7070).")
    var server: String?

    @Option(name: .long, help: "A credentials file with client_id and client_secret (default: MODELGATE_CREDENTIALS, else <data-dir>/credentials.json).")
    var credentials: String?

    @Option(name: .long, help: "The server's data directory, to find its credentials (default: MODELGATE_DATA_DIR, else ~/.modelgate).")
    var dataDir: String?

    @Option(name: [.short, .long], help: "Output format: text or json.")
    var output: OutputFormat = .text

    @Flag(name: .long, help: "Connect over TLS, trusting the system's CAs unless --tls-ca is given (default: MODELGATE_TLS=1).")
    var tls = false

    @Option(name: .long, help: "Connect over TLS and verify the server against the CAs in this PEM file (default: MODELGATE_TLS_CA).")
    var tlsCa: String?

    @Option(name: .long, help: "A PEM client certificate, for servers that require one (with --tls-key; default: MODELGATE_TLS_CERT).")
    var tlsCert: String?

    @Option(name: .long, help: "The PEM key of --tls-cert (default: MODELGATE_TLS_KEY).")
    var tlsKey: String?

    @Option(name: .long, help: "The name the server's certificate must carry, if not the host connected to (default: MODELGATE_TLS_SERVER_NAME).")
    var tlsServerName: String?

    /// The TLS settings from the flags and the environment; `nil` means plaintext.
    ///
    /// Any TLS option (a CA file, a client certificate, a server name) implies `--tls`.
    func resolveTLS() throws -> TLSClientConfiguration? {
        let environment = ProcessInfo.processInfo.environment
        let caFile = self.tlsCa ?? environment["MODELGATE_TLS_CA"]
        let certificate = self.tlsCert ?? environment["MODELGATE_TLS_CERT"]
        let key = self.tlsKey ?? environment["MODELGATE_TLS_KEY"]
        let serverName = self.tlsServerName ?? environment["MODELGATE_TLS_SERVER_NAME"]
        let enabledByEnvironment = ["1", "true", "yes"].contains(environment["MODELGATE_TLS"]?.lowercased() ?? "")
        guard self.tls || enabledByEnvironment || caFile != nil || certificate != nil || key != nil || serverName != nil else {
            return nil
        }
        guard (certificate == nil) == (key == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together (or MODELGATE_TLS_CERT and MODELGATE_TLS_KEY)")
        }
        return TLSClientConfiguration(caFile: caFile, certificateChainFile: certificate, privateKeyFile: key, serverName: serverName)
    }

    /// The credentials to use, or `nil` when no file exists (calls that need
    /// no sign-in still work).
    func resolveCredentials() throws -> Credentials? {
        let environment = ProcessInfo.processInfo.environment
        if let path = self.credentials ?? environment["MODELGATE_CREDENTIALS"] {
            return try Credentials.load(path: path)
        }
        let path = DataDirectory.resolve(self.dataDir) + "/" + Credentials.fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try Credentials.load(path: path)
    }

    /// The server address from the flag, the environment or the credentials file.
    func resolveServer(credentials: Credentials?) throws -> ServerAddress {
        let text = self.server ?? ProcessInfo.processInfo.environment["MODELGATE_SERVER"]
            ?? credentials?.server ?? "127.0.0.1:\(ServerAddress.defaultPort)"
        guard let address = ServerAddress(parsing: text) else {
            throw ValidationError("'\(text)' is not a server address; expected HOST:PORT")
        }
        return address
    }

    /// Connects a client as these options say.
    func connect() async throws -> ModelGateClient {
        let credentials = try self.resolveCredentials()
        let address = try self.resolveServer(credentials: credentials)
        return try await ModelGateClient.connect(to: address, credentials: credentials, tls: try self.resolveTLS())
    }

    /// Connects, runs `body`, and closes the connection whatever happens.
    func withClient<Result>(_ body: (ModelGateClient) async throws -> Result) async throws -> Result {
        let client = try await self.connect()
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}

/// Where the data directory is when no flag names it.
enum DataDirectory {
    static func resolve(_ flag: String?) -> String {
        if let flag { return flag }
        if let fromEnvironment = ProcessInfo.processInfo.environment["MODELGATE_DATA_DIR"] { return fromEnvironment }
        return FileManager.default.homeDirectoryForCurrentUser.path + "/.modelgate"
    }
}
