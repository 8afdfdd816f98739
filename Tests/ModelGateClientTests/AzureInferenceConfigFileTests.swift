import Foundation
import ModelGateAPI
import ModelGateClient
import ModelGateTestSupport
import Testing

/// Azure's `inferenceconfig.json` read into an `InferenceConfig` and the folder to pack.
@Suite("inferenceconfig.json")
struct AzureInferenceConfigFileTests {
    @Test("The example's file: entry script, source directory, and its conda dependencies as a conda YAML")
    func exampleFileReads() throws {
        let folder = RepositoryLayout.root.appending(path: "examples/linear-regression").path
        let file = try AzureInferenceConfigFile.read(path: folder + "/inferenceconfig.json")
        #expect(file.warnings.isEmpty, "\(file.warnings)")
        #expect(file.config.entryScript == "score.py")
        #expect(file.sourceDirectory == URL(fileURLWithPath: folder).standardizedFileURL.path)
        #expect(file.config.sourceDirectory == file.sourceDirectory)
        #expect(file.config.runtime == "python")
        #expect(file.packOnly == nil)
        let environment = try #require(file.config.environment)
        #expect(environment.name == "linear-regression-env")
        #expect(environment.condaYaml.contains("- python=3.11"))
        #expect(environment.condaYaml.contains("channels:\n  - conda-forge"))
        #expect(environment.baseImage == "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04")

        // And packing it honours the example's .amlignore: only the scoring script goes.
        let packed = try file.pack()
        #expect(packed.archive.files == [".amlignore", "score.py"])
        #expect(packed.config.sourceArchive == packed.archive.bytes)
    }

    @Test("sourceDirectory is relative to the config file's folder, the entry script to the source directory")
    func pathsAreRelativeAsInAzure() throws {
        let project = try ScratchFolder(prefix: "modelgate-ic")
        try project.write("app/src/score.py")
        let file = try project.read(#"{"entryScript": "src/score.py", "sourceDirectory": "../app"}"#, at: "configs")
        #expect(file.sourceDirectory == URL(fileURLWithPath: project.path + "/app").standardizedFileURL.path)
        #expect(file.config.entryScript == "src/score.py")
    }

    @Test("Without a sourceDirectory only the entry script is packed")
    func entryScriptAlone() throws {
        let project = try ScratchFolder(prefix: "modelgate-ic")
        try project.write("code/score.py")
        try project.write("code/other.py")
        let file = try project.read(#"{"entryScript": "code/score.py"}"#)
        #expect(file.config.entryScript == "score.py")
        #expect(file.packOnly == ["score.py"])
        #expect(try file.pack().archive.files == ["score.py"])
        // No environment given: an empty inline one, which runs on the server's Python.
        #expect(file.config.environment == Environment())
    }

    @Test("The older keys: condaFile and extraDockerfileSteps relative to the source directory, and baseImage")
    func legacyKeys() throws {
        let project = try ScratchFolder(prefix: "modelgate-ic")
        try project.write("src/score.py")
        try project.write("src/env.yml", "dependencies:\n  - pip:\n    - numpy\n")
        try project.write("src/steps.txt", "RUN echo one\nENV A=1\nRUN echo two\n")
        let file = try project.read(
            #"{"entryScript": "score.py", "sourceDirectory": "src", "condaFile": "env.yml", "extraDockerfileSteps": "steps.txt", "baseImage": "ubuntu", "enableGpu": true}"#
        )
        let environment = try #require(file.config.environment)
        #expect(environment.condaYaml.contains("numpy"))
        #expect(environment.buildSteps == ["echo one", "echo two"])
        #expect(environment.baseImage == "ubuntu")
        #expect(file.warnings.contains { $0.contains("only RUN steps") })
        #expect(file.warnings.contains { $0.contains("enableGpu") })
    }

    @Test("An environment with only a name and version names a registered environment")
    func registeredEnvironment() throws {
        let project = try ScratchFolder(prefix: "modelgate-ic")
        try project.write("score.py")
        let file = try project.read(#"{"entryScript": "score.py", "sourceDirectory": ".", "environment": {"name": "sklearn", "version": "3"}}"#)
        #expect(file.config.environmentName == "sklearn")
        #expect(file.config.environmentVersion == 3)
        #expect(file.config.environment == nil)
    }

    @Test("An inline environment: pip dependencies, variables, user-managed dependencies")
    func inlineEnvironment() throws {
        let project = try ScratchFolder(prefix: "modelgate-ic")
        try project.write("score.py")
        let file = try project.read(
            """
            {"entryScript": "score.py", "sourceDirectory": ".", "condaFile": "ignored.yml",
             "environment": {"name": "env", "environmentVariables": {"MODE": "fast"}, "inferencingStackVersion": "latest",
                             "python": {"condaDependencies": {"dependencies": ["python=3.11", {"pip": ["scikit-learn==1.5.0", "azureml-defaults"]}]}},
                             "docker": {"enabled": false, "baseImage": null}}}
            """)
        let environment = try #require(file.config.environment)
        #expect(environment.environmentVariables == ["MODE": "fast"])
        #expect(environment.condaYaml == "dependencies:\n  - python=3.11\n  - pip:\n    - scikit-learn==1.5.0\n    - azureml-defaults\n")
        #expect(file.warnings.contains { $0.contains("condaFile") && $0.contains("environment is given") })

        let managed = try project.read(
            #"{"entryScript": "score.py", "sourceDirectory": ".", "environment": {"name": "env", "python": {"userManagedDependencies": true, "interpreterPath": "python"}}}"#)
        #expect(managed.config.environment?.condaYaml == "")
        #expect(managed.warnings.isEmpty, "\(managed.warnings)")
    }

    @Test("Unknown keys are ignored with a warning naming them")
    func unknownKeysWarn() throws {
        let project = try ScratchFolder(prefix: "modelgate-ic")
        try project.write("score.py")
        let file = try project.read(#"{"entryScript": "score.py", "sourceDirectory": ".", "speed": 1, "environment": {"name": "e", "python": {"colour": 2}}}"#)
        #expect(file.warnings.contains { $0.contains("'speed'") })
        #expect(file.warnings.contains { $0.contains("'environment.python.colour'") })
    }

    @Test("Missing files and wrong types are errors naming the file and the key", arguments: [
        (#"{"sourceDirectory": "."}"#, "entryScript is required"),
        (#"{"entryScript": 5}"#, "entryScript must be a string"),
        (#"{"entryScript": "score.py", "sourceDirectory": "nowhere"}"#, "sourceDirectory 'nowhere' is not a folder"),
        (#"{"entryScript": "missing.py", "sourceDirectory": "."}"#, "entryScript 'missing.py' is not in sourceDirectory"),
        (#"{"entryScript": "../score.py", "sourceDirectory": "."}"#, "is outside sourceDirectory"),
        (#"{"entryScript": "score.py", "environment": "env"}"#, "environment must be an object"),
        (#"{"entryScript": "score.py", "environment": {"name": "e", "version": "one"}}"#, "environment.version must be a version number"),
        (#"{"entryScript": "score.py", "environment": {"python": {"userManagedDependencies": "no"}}}"#, "environment.python.userManagedDependencies must be true or false"),
        (#"{"entryScript": "score.py", "environment": {"python": {"condaDependencies": {"dependencies": [1]}}}}"#, "environment.python.condaDependencies.dependencies must be strings"),
        (#"{"entryScript": "score.py", "condaFile": "none.yml"}"#, "condaFile names 'none.yml'"),
        (#"{"entryScript": "score.py""#, "not valid JSON"),
    ])
    func errorsNameTheFileAndKey(json: String, message: String) throws {
        let project = try ScratchFolder(prefix: "modelgate-ic")
        try project.write("score.py")
        let error = #expect(throws: ConfigFileError.self) { try project.read(json) }
        #expect(error?.message.contains("inferenceconfig.json: ") == true, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }
}

extension ScratchFolder {
    /// Writes `json` as `<folder>/inferenceconfig.json` and reads it.
    func read(_ json: String, at folder: String = "") throws -> AzureInferenceConfigFile {
        let relative = folder.isEmpty ? "inferenceconfig.json" : folder + "/inferenceconfig.json"
        try self.write(relative, json)
        return try AzureInferenceConfigFile.read(path: self.path + "/" + relative)
    }
}
