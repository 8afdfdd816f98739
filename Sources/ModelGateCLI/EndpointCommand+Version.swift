internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

extension EndpointCommand {
    /// `modelgate endpoint version create|update|delete`, after `AksEndpoint.create_version`,
    /// `update_version` and `delete_version`.
    struct VersionCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "version",
            abstract: "Create, update and delete an endpoint's versions under live traffic.",
            subcommands: [Create.self, Update.self, Delete.self]
        )

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a version to an endpoint and wait until it takes traffic.",
                discussion: """
                    -dc gives the version's own resources, probes and timeouts.

                      modelgate endpoint version create -n linreg-ep --version-name versionb -m linreg:2 \\
                          -ic inferenceconfig.json --traffic-percentile 10
                    """
            )
            @OptionGroup var options: ClientOptions
            @OptionGroup var workspace: WorkspaceOption
            @Option(name: [.short, .long], help: "The endpoint's name.") var name: String
            @OptionGroup var version: VersionOptions
            @OptionGroup var files: DeploymentFileOptions
            @Flag(name: .long, help: "Return once the version is accepted, without waiting.") var noWait = false

            func validate() throws {
                guard self.files.inferenceConfigFile != nil else { throw ValidationError("give the version's inference config with -ic FILE") }
            }

            func run() async throws {
                let workspace = try self.workspace.resolve()
                let log = ProgressLog(format: self.options.output)
                let (version, _) = try self.version.version(files: self.files, log: log)
                try await self.options.withClient { client in
                    let accepted = try await client.createEndpointVersion(workspace: workspace, endpoint: self.name, version: version)
                    try await EndpointCommand.follow(
                        accepted, client: client, workspace: workspace, noWait: self.noWait, log: log,
                        printer: Printer(format: self.options.output)
                    )
                }
            }
        }

        struct Update: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Change a version: traffic, default, control or treatment apply at once; new code or models roll out first.",
                discussion: """
                      modelgate endpoint version update -n linreg-ep --version-name versionb \\
                          --traffic-percentile 40 --is-default --is-control-version-type
                    """
            )
            @OptionGroup var options: ClientOptions
            @OptionGroup var workspace: WorkspaceOption
            @Option(name: [.short, .long], help: "The endpoint's name.") var name: String
            @OptionGroup var version: VersionOptions
            @OptionGroup var files: DeploymentFileOptions
            @Flag(name: .long, help: "Return once the change is accepted, without waiting.") var noWait = false

            func run() async throws {
                let workspace = try self.workspace.resolve()
                let log = ProgressLog(format: self.options.output)
                let (version, mask) = try self.version.version(files: self.files, log: log)
                guard !mask.isEmpty else {
                    throw ValidationError("nothing to change: give --traffic-percentile, --is-default, --[no-]is-control-version-type, -m, -ic or -dc")
                }
                try await self.options.withClient { client in
                    let accepted = try await client.updateEndpointVersion(
                        workspace: workspace, endpoint: self.name, version: version, updateMask: mask
                    )
                    try await EndpointCommand.follow(
                        accepted, client: client, workspace: workspace, noWait: self.noWait, log: log,
                        printer: Printer(format: self.options.output)
                    )
                }
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove a version; its traffic moves to the others and its replicas finish what they run."
            )
            @OptionGroup var options: ClientOptions
            @OptionGroup var workspace: WorkspaceOption
            @Option(name: [.short, .long], help: "The endpoint's name.") var name: String
            @Option(name: .customLong("version-name"), help: "The version's name.") var versionName: String

            func run() async throws {
                let workspace = try self.workspace.resolve()
                let endpoint = try await self.options.withClient {
                    try await $0.deleteEndpointVersion(workspace: workspace, endpoint: self.name, version: self.versionName)
                }
                EndpointView(endpoint).print(Printer(format: self.options.output))
            }
        }
    }
}
