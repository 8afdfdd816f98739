internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

extension ServiceCommand {
    /// `modelgate service run`, after `az ml service run`.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score one request and print the service's (or endpoint's) answer.",
            discussion: """
                The input is the request body run(raw_data) receives, usually JSON such as \
                '{"data": [[1.0, 2.0, 3.0]]}', or @FILE to read it from a file. Without --key or \
                --token, a service with key auth is called with its primary key (fetched with \
                get-keys) and a service with token auth with a fresh token (get-access-token). \
                An endpoint's name works too: its traffic split picks the version, or --version \
                pins one (to test a treatment); the version that served is printed on stderr.
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's or endpoint's name.") var name: String
        @Option(name: .customLong("version"), help: "The endpoint version to score with (default: the traffic split picks).")
        var version: String?
        @Option(name: [.customShort("d"), .customLong("input-data")], help: "The request body, or @FILE.") var inputData: String
        @Option(name: [.short, .long], help: "The service key to send (default: the primary key, when key auth is on).")
        var key: String?
        @Option(name: [.short, .long], help: "The scoring token to send (default: a fresh one, when token auth is on).")
        var token: String?

        func validate() throws {
            if self.key != nil, self.token != nil {
                throw ValidationError("pass --key or --token, not both: a service takes one kind of credential")
            }
        }

        /// The request body: the text itself, or the contents of `@FILE`.
        static func body(from input: String) throws -> [UInt8] {
            guard input.hasPrefix("@") else { return Array(input.utf8) }
            let path = String(input.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read input data file '\(path)'")
            }
            return [UInt8](data)
        }

        /// The settings of the service, or of the endpoint, named `name` (one name space).
        static func deploymentConfig(of name: String, workspace: String, client: ModelGateClient) async throws -> DeploymentConfig? {
            do {
                return try await client.service(workspace: workspace, name: name).deploymentConfig
            } catch let error as RPCError where error.code == .notFound {
                guard let endpoint = try? await client.endpoint(workspace: workspace, name: name) else { throw error }
                return endpoint.deploymentConfig
            }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let body = try Self.body(from: self.inputData)
            let answer = try await self.options.withClient { client in
                // Keys and tokens travel the same way: `authorization: Bearer <credential>`.
                var credential = self.key ?? self.token
                if credential == nil {
                    let config = try await Self.deploymentConfig(of: self.name, workspace: workspace, client: client)
                    if config?.tokenAuthEnabled == .enabled {
                        credential = try await client.serviceToken(workspace: workspace, service: self.name).token
                    } else if config?.authEnabled == .enabled {
                        credential = try await client.keys(workspace: workspace, service: self.name).primaryKey
                    }
                }
                return try await client.score(
                    workspace: workspace, service: self.name, body: body, key: credential, version: self.version ?? ""
                )
            }
            if !answer.version.isEmpty {
                // On stderr, so stdout stays the service's answer alone.
                FileHandle.standardError.write(Data("served by version '\(answer.version)'\n".utf8))
            }
            var text = String(decoding: answer.body, as: UTF8.self)
            if !text.hasSuffix("\n") { text += "\n" }
            FileHandle.standardOutput.write(Data(text.utf8))
            if answer.httpStatus >= 400 {
                ProgressLog(format: self.options.output).error("service '\(self.name)' answered with HTTP status \(answer.httpStatus)")
                throw ExitCode(1)
            }
        }
    }
}
