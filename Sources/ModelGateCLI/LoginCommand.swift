internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient
internal import ModelGateServer

/// `modelgate login`, after `az login --service-principal`.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in as a principal and save its credentials for the other commands.",
        discussion: """
            Checks the client id and secret with the server, then writes them (mode 0600) to the \
            credentials file the other commands read: --credentials, else MODELGATE_CREDENTIALS, \
            else <data-dir>/credentials.json. A file holding another principal's credentials (such \
            as the admin's, written by `modelgate serve`) is replaced only with --force, because \
            its secret cannot be recovered.
            """
    )
    @OptionGroup var options: ClientOptions
    @Option(name: .long, help: "The principal's client id.") var clientId: String
    @Option(name: .long, help: "The principal's client secret (default: MODELGATE_CLIENT_SECRET).") var clientSecret: String?
    @Flag(name: .long, help: "Replace a credentials file that holds another principal's credentials.") var force = false

    /// The environment variable read when `--client-secret` is absent, so the secret need not show in `ps`.
    static let secretVariable = "MODELGATE_CLIENT_SECRET"

    func resolveSecret(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        try Self.secret(flag: self.clientSecret, environment: environment)
    }

    /// The secret from `flag`, else `environment`'s `MODELGATE_CLIENT_SECRET`.
    ///
    /// - Throws: `ValidationError` when neither has one.
    static func secret(flag: String?, environment: [String: String]) throws -> String {
        if let flag, !flag.isEmpty { return flag }
        if let secret = environment[Self.secretVariable], !secret.isEmpty { return secret }
        throw ValidationError("no client secret: pass --client-secret or set \(Self.secretVariable)")
    }

    /// Where the credentials go, as the other commands will look for them.
    func credentialsPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        self.options.credentials ?? environment["MODELGATE_CREDENTIALS"]
            ?? DataDirectory.resolve(self.options.dataDir) + "/" + Credentials.fileName
    }

    func validate() throws {
        guard !self.clientId.isEmpty else { throw ValidationError("--client-id must not be empty") }
        _ = try self.resolveSecret()
    }

    func run() async throws {
        let secret = try self.resolveSecret()
        let path = self.credentialsPath()
        let existing = FileManager.default.fileExists(atPath: path) ? try? Credentials.load(path: path) : nil
        if let existing, existing.clientID != self.clientId, !self.force {
            throw ValidationError(
                "'\(path)' holds the credentials of principal '\(existing.clientID)': pass --force to replace them, or --credentials PATH to write elsewhere"
            )
        }
        let credentials = Credentials(clientID: self.clientId, clientSecret: secret)
        let address = try self.options.resolveServer(credentials: existing)
        let client = try await ModelGateClient.connect(to: address, credentials: credentials, tls: try self.options.resolveTLS())
        let signedIn: SignInResponse
        do {
            signedIn = try await client.signIn()
            await client.close()
        } catch {
            await client.close()
            throw error
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try CredentialsFile(clientID: self.clientId, clientSecret: secret, server: address.description).write(to: path)
        let principal = signedIn.principal ?? Principal()
        Printer(format: self.options.output).printObject([
            "clientId": principal.clientID, "displayName": principal.displayName, "server": address.description,
            "credentials": path,
        ])
    }
}
