internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate endpoint create|show|list|delete|version`, after `az ml endpoint realtime`.
///
/// An endpoint (AKS only) holds up to six versions behind one name; each
/// version takes its `--traffic-percentile` of the requests and the default
/// version takes what the percentiles leave over. `service run`, `service
/// get-keys` and `service get-logs` take an endpoint's name too.
struct EndpointCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoint",
        abstract: "Create, show, list and delete endpoints with versions and a traffic split (controlled rollout).",
        subcommands: [Create.self, Show.self, List.self, Delete.self, VersionCommand.self]
    )

    /// `-m`, `-ic`, `-dc` and the flags that describe one version.
    struct VersionOptions: ParsableArguments {
        @Option(name: .customLong("version-name"), help: "The version's name.") var versionName: String
        @Option(name: .customLong("traffic-percentile"), help: "Share of the traffic (0-100) this version takes.")
        var trafficPercentile: Float?
        @Flag(name: .customLong("is-default"), help: "Make this the default version (it takes what the percentiles leave over).")
        var isDefault = false
        @Flag(
            name: .customLong("is-control-version-type"), inversion: .prefixedNo,
            help: "Mark the version as the control (at most one per endpoint), or with --no-... as a treatment.")
        var isControlVersionType: Bool?

        func validate() throws {
            if let percentile = self.trafficPercentile, !(0...100).contains(percentile) {
                throw ValidationError("--traffic-percentile must be between 0 and 100")
            }
        }

        /// The version the flags and files describe, and the field names they set (an update's mask).
        func version(files: DeploymentFileOptions, log: ProgressLog) throws -> (EndpointVersion, [String]) {
            var version = EndpointVersion()
            version.name = self.versionName
            var mask: [String] = []
            if let percentile = self.trafficPercentile {
                version.trafficPercentile = percentile
                mask.append("traffic_percentile")
            }
            if self.isDefault {
                version.isDefault = true
                mask.append("is_default")
            }
            if let control = self.isControlVersionType {
                version.versionType = control ? .control : .treatment
                mask.append("version_type")
            }
            if !files.model.isEmpty {
                version.models = files.model
                mask.append("models")
            }
            if let inference = try files.inference(log: log) {
                version.inferenceConfig = inference.config
                mask.append("inference_config")
            }
            if files.deployConfigFile != nil {
                version.deploymentConfig = try files.deployment(log: log).config
                mask.append("deployment_config")
            }
            version.tags = try Tags.parse(files.tag)
            if !version.tags.isEmpty { mask.append("tags") }
            if let description = files.description {
                version.description = description
                mask.append("description")
            }
            return (version, mask)
        }
    }

    /// Follows an accepted change until every version settles, prints the
    /// endpoint, and exits 1 when it ended Failed or Unhealthy.
    static func follow(
        _ accepted: Endpoint, client: ModelGateClient, workspace: String, noWait: Bool, log: ProgressLog, printer: Printer
    ) async throws {
        guard !noWait else {
            EndpointView(accepted).print(printer)
            return
        }
        var final: DeploymentProgress?
        for try await event in client.waitForDeployment(workspace: workspace, name: accepted.name) {
            if !event.message.isEmpty { log.note(DeploymentFollower.line(for: event)) }
            if event.final {
                final = event
                break
            }
        }
        let endpoint = try await client.endpoint(workspace: workspace, name: accepted.name)
        EndpointView(endpoint).print(printer)
        let state = final?.state ?? endpoint.state
        guard ServiceView.isFailure(state) else { return }
        log.error("endpoint '\(endpoint.name)' is \(ServiceView.state(state)): \(endpoint.error.isEmpty ? final?.message ?? "" : endpoint.error)")
        throw ExitCode(1)
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an endpoint with its first version (the default) and wait until it is ready.",
            discussion: """
                  modelgate endpoint create -n linreg-ep --version-name versiona -m linreg:1 \\
                      -ic inferenceconfig.json -dc deploymentconfig.json -ct aks-prod --traffic-percentile 20
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The endpoint's name.") var name: String
        @OptionGroup var version: VersionOptions
        @OptionGroup var files: DeploymentFileOptions
        @Flag(name: .long, help: "Return once the endpoint is accepted, without waiting.") var noWait = false

        func validate() throws {
            guard self.files.inferenceConfigFile != nil else { throw ValidationError("give the first version's inference config with -ic FILE") }
            guard self.files.deployConfigFile != nil || self.files.computeTarget != nil else {
                throw ValidationError("endpoints run on AKS: give the cluster with -ct TARGET (or computeTargetName in -dc)")
            }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let log = ProgressLog(format: self.options.output)
            var (first, _) = try self.version.version(files: self.files, log: log)
            // -dc here is the endpoint's configuration; the first version uses its resources.
            first.deploymentConfig = nil
            var config = try self.files.deployment(log: log).config
            config.computeType = .aks
            try await self.options.withClient { client in
                let accepted = try await client.createEndpoint(
                    workspace: workspace, name: self.name, deploymentConfig: config, version: first
                )
                try await EndpointCommand.follow(
                    accepted, client: client, workspace: workspace, noWait: self.noWait, log: log, printer: Printer(format: self.options.output)
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an endpoint with its versions and their traffic.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The endpoint's name.") var name: String

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let endpoint = try await self.options.withClient { try await $0.endpoint(workspace: workspace, name: self.name) }
            EndpointView(endpoint).print(Printer(format: self.options.output))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's endpoints.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: .customLong("compute-target"), help: "Only endpoints on this compute target.") var computeTarget: String?

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let endpoints = try await self.options.withClient { try await $0.endpoints(workspace: workspace, computeTarget: self.computeTarget) }
            Printer(format: self.options.output).printTable(
                columns: ["NAME", "STATE", "COMPUTE", "VERSIONS", "DEFAULT", "UPDATED"],
                rows: endpoints.map { endpoint in
                    [
                        endpoint.name, ServiceView.state(endpoint.state), endpoint.deploymentConfig?.computeTargetName ?? "",
                        endpoint.versions.map { "\($0.name) \(EndpointView.percent($0.effectiveTrafficPercentile))" }.joined(separator: ", "),
                        endpoint.defaultVersion, Printer.time(unixMs: endpoint.updatedAtUnixMs),
                    ]
                },
                json: endpoints.map { EndpointView($0).json }
            )
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an endpoint with all its versions.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The endpoint's name.") var name: String

        func run() async throws {
            let workspace = try self.workspace.resolve()
            try await self.options.withClient { try await $0.deleteEndpoint(workspace: workspace, name: self.name) }
            Printer(format: self.options.output).printMessage("deleted endpoint '\(self.name)'", json: ["deleted": self.name])
        }
    }
}
