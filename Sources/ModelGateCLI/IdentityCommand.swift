internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate identity create-sp`, after `az ad sp create-for-rbac`.
struct IdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Create principals that sign in with a client id and secret.",
        subcommands: [CreateServicePrincipal.self]
    )

    struct CreateServicePrincipal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-sp",
            abstract: "Create a service principal and print its client id and secret (the secret only this once).",
            discussion: """
                Needs an admin. The server keeps only a salted hash of the secret: save it now, \
                then give the principal a role with `modelgate role assign` and sign in as it \
                with `modelgate login`.
                """
        )
        @OptionGroup var options: ClientOptions
        @Option(name: [.short, .long], help: "The principal's display name.") var name: String

        func validate() throws {
            guard !self.name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--name must not be empty")
            }
        }

        func run() async throws {
            let created = try await self.options.withClient { try await $0.createPrincipal(displayName: self.name) }
            let principal = created.principal ?? Principal()
            Printer(format: self.options.output).printObject([
                "clientId": principal.clientID, "clientSecret": created.clientSecret, "displayName": principal.displayName,
            ])
            ProgressLog(format: self.options.output).warning("the client secret is shown only now; the server keeps only its hash")
        }
    }
}
