internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// `-m`, `-ic`, `-dc`, `-ct` and the metadata flags, spelled as `az ml model deploy`
/// and `az ml service update` spell them, shared by both commands.
///
/// The two-letter flags take one dash as in Azure's documentation
/// (`-ic inferenceconfig.json`), or two (`--ic`), or their long names.
struct DeploymentFileOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "A model as NAME:VERSION (NAME alone for the latest); repeat for more.")
    var model: [String] = []

    @Option(
        name: [.customLong("ic", withSingleDash: true), .customLong("ic"), .customLong("inference-config-file")],
        help: ArgumentHelp("Azure's inferenceconfig.json: entry script, source directory, environment.", valueName: "inferenceconfig.json"))
    var inferenceConfigFile: String?

    @Option(
        name: [.customLong("dc", withSingleDash: true), .customLong("dc"), .customLong("deploy-config-file")],
        help: ArgumentHelp("Azure's deploymentconfig.json: computeType aks|aci, resources, scaling, auth, limits.", valueName: "deploymentconfig.json"))
    var deployConfigFile: String?

    @Option(
        name: [.customLong("ct", withSingleDash: true), .customLong("ct"), .customLong("compute-target")],
        help: ArgumentHelp("The AKS compute target to deploy to (overrides computeTargetName).", valueName: "target"))
    var computeTarget: String?

    @Option(name: .long, help: "A tag KEY=VALUE; repeat for more (added to the file's tags).")
    var tag: [String] = []

    @Option(name: .long, help: "A property KEY=VALUE; repeat for more (added to the file's properties).")
    var property: [String] = []

    @Option(name: .long, help: "A description (overrides the file's).")
    var description: String?

    func validate() throws {
        _ = try Tags.parse(self.tag)
        _ = try Tags.parse(self.property)
        for model in self.model where model.isEmpty || model.hasPrefix(":") || model.hasSuffix(":") {
            throw ValidationError("model '\(model)' is not NAME:VERSION or NAME")
        }
    }

    /// The inference config file, read and packed, with its warnings shown; `nil` without `-ic`.
    func inference(log: ProgressLog) throws -> (config: InferenceConfig, archive: SourceArchive)? {
        guard let path = self.inferenceConfigFile else { return nil }
        let file = try AzureInferenceConfigFile.read(path: path)
        file.warnings.forEach(log.warning)
        let packed = try file.pack()
        let ignoring = packed.archive.ignoreFile.map { ", honouring \($0)" } ?? ""
        log.note("Packed \(packed.archive.files.count) file(s) from \(packed.archive.directory) (\(packed.archive.bytes.count) bytes\(ignoring))")
        return packed
    }

    /// The deployment config file with the command line's overrides, and the
    /// names of the fields they set; an empty config without `-dc`.
    func deployment(log: ProgressLog) throws -> (config: DeploymentConfig, fieldNames: [String]) {
        var config = DeploymentConfig()
        var fields: [String] = []
        if let path = self.deployConfigFile {
            let file = try AzureDeploymentConfigFile.read(path: path)
            file.warnings.forEach(log.warning)
            config = file.config
            fields = file.fieldNames
        }
        func mark(_ field: String) {
            if !fields.contains(field) { fields.append(field) }
        }
        if let target = self.computeTarget {
            config.computeTargetName = target
            mark("compute_target_name")
        }
        let tags = try Tags.parse(self.tag)
        if !tags.isEmpty {
            config.tags.merge(tags) { $1 }
            mark("tags")
        }
        let properties = try Tags.parse(self.property)
        if !properties.isEmpty {
            config.properties.merge(properties) { $1 }
            mark("properties")
        }
        if let description = self.description {
            config.description = description
            mark("description")
        }
        return (config, fields)
    }
}
