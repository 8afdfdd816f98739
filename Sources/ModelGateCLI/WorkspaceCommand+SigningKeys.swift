internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

extension WorkspaceCommand {
    /// `modelgate workspace signing-keys -w W`: the JWKS that verifies the workspace's tokens.
    struct SigningKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "signing-keys",
            abstract: "Print the public keys that verify the workspace's scoring tokens, as a JWKS JSON document.",
            discussion: "Any JWT library can verify a token from `modelgate service get-access-token` against it. Needs Reader."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let keys = try await self.options.withClient { try await $0.signingKeys(workspace: workspace) }
            // The document as the server publishes it, whatever --output says: it is JSON already.
            var text = keys.jwksJSON
            if !text.hasSuffix("\n") { text += "\n" }
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
