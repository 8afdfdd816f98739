internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate service list|show|update|delete|get-logs|get-keys|regen-key|get-access-token|run`,
/// after `az ml service`.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "List, show, update, delete and call deployed web services; read their logs and keys.",
        subcommands: [
            List.self, Show.self, Update.self, Delete.self, GetLogs.self, CollectedData.self, GetKeys.self, RegenKey.self, GetAccessToken.self,
            Run.self, ReplicasNeeded.self,
        ]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's web services.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: .customLong("compute-target"), help: "Only services on this compute target.") var computeTarget: String?
        @Option(name: .long, help: "Only services serving a model of this name.") var modelName: String?
        @Option(name: .long, help: "Only services with this tag KEY=VALUE; repeat for more (all must match).") var tag: [String] = []

        func validate() throws {
            _ = try Tags.parse(self.tag)
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let tags = try Tags.parse(self.tag)
            let services = try await self.options.withClient {
                try await $0.services(workspace: workspace, computeTarget: self.computeTarget, modelName: self.modelName, tags: tags)
            }
            Printer(format: self.options.output).printTable(
                columns: ["NAME", "STATE", "TYPE", "COMPUTE", "MODELS", "REPLICAS", "AUTH", "UPDATED"],
                rows: services.map { service in
                    let view = ServiceView(service)
                    let config = service.deploymentConfig ?? DeploymentConfig()
                    return [
                        service.name, ServiceView.state(service.state), ServiceView.computeType(config.computeType),
                        config.computeTargetName.isEmpty ? "-" : config.computeTargetName, Printer.text(service.models),
                        view.replicas, view.auth, Printer.time(unixMs: service.updatedAtUnixMs),
                    ]
                },
                json: services.map { ServiceView($0).json }
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a web service: state, scoring URI, settings, replicas.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let service = try await self.options.withClient { try await $0.service(workspace: workspace, name: self.name) }
            ServiceView(service).print(Printer(format: self.options.output))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a web service and stop its replicas.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String

        func run() async throws {
            let workspace = try self.workspace.resolve()
            try await self.options.withClient { try await $0.deleteService(workspace: workspace, name: self.name) }
            Printer(format: self.options.output).printMessage("deleted service '\(self.name)'", json: ["deleted": self.name])
        }
    }
}
