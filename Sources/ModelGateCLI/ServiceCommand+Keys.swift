internal import ArgumentParser
internal import ModelGateAPI
internal import ModelGateClient

extension ServiceCommand {
    /// `modelgate service get-keys`, after `az ml service get-keys`.
    struct GetKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get-keys",
            abstract: "Print a web service's primary and secondary keys; both are valid at once."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let keys = try await self.options.withClient { try await $0.keys(workspace: workspace, service: self.name) }
            Printer(format: self.options.output).printObject(["primaryKey": keys.primaryKey, "secondaryKey": keys.secondaryKey])
        }
    }

    /// `modelgate service regen-key`, after `az ml service regen-key`.
    struct RegenKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "regen-key",
            abstract: "Replace one of a web service's keys; the old value fails at once, the other key keeps working."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String
        @Option(name: [.short, .long], help: "Which key: primary or secondary.") var key: KeyArgument
        @Option(name: .long, help: "The new value (default: a random one).") var setKey: String?

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let keys = try await self.options.withClient {
                try await $0.regenerateKey(workspace: workspace, service: self.name, key: self.key.wire, value: self.setKey)
            }
            Printer(format: self.options.output).printObject(["primaryKey": keys.primaryKey, "secondaryKey": keys.secondaryKey])
        }
    }
}

/// `--key primary|secondary`, in any case, as Azure's `Primary`/`Secondary`.
enum KeyArgument: String, ExpressibleByArgument, CaseIterable {
    case primary
    case secondary

    init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    var wire: KeyType { self == .primary ? .primary : .secondary }
}
