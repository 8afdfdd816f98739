internal import ArgumentParser
internal import ModelGateAPI
internal import ModelGateClient

extension ServiceCommand {
    /// `modelgate service get-access-token`, after `az ml service get-access-token`.
    struct GetAccessToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get-access-token",
            abstract: "Fetch a scoring token for a service with token auth.",
            discussion: """
                Prints Azure's fields: accessToken, tokenType, refreshAfter and expiryOn (Unix \
                seconds). Fetch a new token after refreshAfter; the token stops working at \
                expiryOn. Needs Reader. While the workspace's region is unavailable this fails \
                at once with UNAVAILABLE (exit status 5).
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let token = try await self.options.withClient { try await $0.serviceToken(workspace: workspace, service: self.name) }
            Printer(format: self.options.output).printObject([
                "accessToken": token.token,
                "tokenType": token.tokenType.isEmpty ? "Bearer" : token.tokenType,
                "refreshAfter": Int(token.refreshByUnixMs / 1000),
                "expiryOn": Int(token.expiresAtUnixMs / 1000),
            ])
        }
    }
}
