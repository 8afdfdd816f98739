internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

extension ModelCommand {
    /// `modelgate model deploy`, after `az ml model deploy`.
    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy models as a web service and wait until it is ready.",
            discussion: """
                Reads Azure's own inferenceconfig.json (-ic) and deploymentconfig.json (-dc), packs the \
                source directory (honouring .amlignore, else .gitignore), deploys, and prints the \
                deployment's progress as it happens, like wait_for_deployment(show_output=True). \
                Exits 1 when the service ends Failed or Unhealthy, with the error on stderr.

                  modelgate model deploy -n linreg -m linreg:1 -ic inferenceconfig.json \\
                      -dc deploymentconfig.json -ct aks-prod
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String
        @OptionGroup var files: DeploymentFileOptions
        @Flag(name: .long, help: "Replace a service of the same name (its keys are kept).") var overwrite = false
        @Flag(name: .long, help: "Also print the new replicas' own output (score.py's prints) while waiting.")
        var showOutput = false
        @Flag(name: .long, help: "Return once the deployment is accepted, without waiting.") var noWait = false

        func validate() throws {
            guard !self.files.model.isEmpty else { throw ValidationError("give at least one model with -m NAME:VERSION") }
            guard self.files.inferenceConfigFile != nil else {
                throw ValidationError("give the inference config with -ic inferenceconfig.json")
            }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let log = ProgressLog(format: self.options.output)
            let printer = Printer(format: self.options.output)
            guard let inference = try self.files.inference(log: log) else {
                throw ValidationError("give the inference config with -ic inferenceconfig.json")
            }
            let deployment = try self.files.deployment(log: log).config
            try await self.options.withClient { client in
                let accepted = try await client.deploy(
                    workspace: workspace, name: self.name, models: self.files.model, inferenceConfig: inference.config,
                    deploymentConfig: deployment, overwrite: self.overwrite
                )
                try await DeploymentFollower(
                    client: client, workspace: workspace, name: self.name, log: log, showOutput: self.showOutput
                ).report(accepted, noWait: self.noWait, printer: printer)
            }
        }
    }
}
