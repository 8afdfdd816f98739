internal import ArgumentParser
internal import ModelGateAPI
internal import ModelGateClient

extension ServiceCommand {
    /// `modelgate service update`, after `az ml service update`.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a web service's models, code or settings, and wait until it is ready.",
            discussion: """
                Only what is given changes, as with Azure's Webservice.update: -m replaces the models, \
                -ic the code and environment, and each setting -dc gives replaces its current value \
                (the compute target cannot change). Replicas are replaced without failing requests \
                in flight.
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String
        @OptionGroup var files: DeploymentFileOptions
        @Flag(name: .long, help: "Also print the new replicas' own output (score.py's prints) while waiting.")
        var showOutput = false
        @Flag(name: .long, help: "Return once the change is accepted, without waiting.") var noWait = false

        func validate() throws {
            guard !self.files.model.isEmpty || self.files.inferenceConfigFile != nil || self.files.deployConfigFile != nil
                || !self.files.tag.isEmpty || !self.files.property.isEmpty || self.files.description != nil
            else {
                throw ValidationError("nothing to change: give -m, -ic, -dc, --tag, --property or --description")
            }
            if self.files.computeTarget != nil {
                throw ValidationError("a service's compute target cannot change; deploy a new service instead")
            }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let log = ProgressLog(format: self.options.output)
            let printer = Printer(format: self.options.output)
            let inference = try self.files.inference(log: log)
            let deployment = try self.files.deployment(log: log)
            guard inference != nil || !self.files.model.isEmpty || !deployment.fieldNames.isEmpty else {
                throw ValidationError("nothing to change: the deployment config sets no setting")
            }
            // An empty mask asks for Azure's update: given models and inference config replace the
            // current ones, and the deployment config's set fields replace theirs, the rest staying.
            // (A field the file sets to false or 0 is indistinguishable from one it leaves out.)
            try await self.options.withClient { client in
                let accepted = try await client.updateService(
                    workspace: workspace, name: self.name, updateMask: [], models: self.files.model,
                    inferenceConfig: inference?.config, deploymentConfig: deployment.fieldNames.isEmpty ? nil : deployment.config
                )
                try await DeploymentFollower(
                    client: client, workspace: workspace, name: self.name, log: log, showOutput: self.showOutput
                ).report(accepted, noWait: self.noWait, printer: printer)
            }
        }
    }
}
