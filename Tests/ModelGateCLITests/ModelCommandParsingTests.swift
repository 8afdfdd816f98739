import ArgumentParser
import Testing

@testable import ModelGateCLI

/// `model`, `environment` and `compute` parse as documented, without running anything.
@Suite("modelgate model, environment and compute command lines")
struct ModelCommandParsingTests {
    @Test("model register takes a name, a path, tags, properties and a description")
    func modelRegisterParses() throws {
        let command = try ModelGateCommand.parseAsRoot([
            "model", "register", "-w", "ws1", "--name", "iris", "--path", "outputs/", "--tag", "stage=dev",
            "--property", "accuracy=0.93", "--description", "first", "--model-framework", "ScikitLearn",
        ])
        let register = try #require(command as? ModelCommand.Register)
        #expect(try register.workspace.resolve(environment: [:]) == "ws1")
        #expect(register.name == "iris" && register.path == "outputs/")
        #expect(try Tags.parse(register.tag) == ["stage": "dev"])
        #expect(try Tags.parse(register.property) == ["accuracy": "0.93"])
        #expect(register.description == "first" && register.modelFramework == "ScikitLearn")
    }

    @Test("model show and delete take --version, not the program's version flag")
    func versionIsAnOption() throws {
        let show = try #require(try ModelGateCommand.parseAsRoot(["model", "show", "-w", "ws1", "--name", "iris", "--version", "3"]) as? ModelCommand.Show)
        #expect(show.version == 3)
        let latest = try #require(try ModelGateCommand.parseAsRoot(["model", "show", "-w", "ws1", "--name", "iris"]) as? ModelCommand.Show)
        #expect(latest.version == nil)
        let delete = try #require(try ModelGateCommand.parseAsRoot(["model", "delete", "--workspace", "ws1", "--name", "iris", "--version", "2"]) as? ModelCommand.Delete)
        #expect(delete.version == 2)
        let environment = try #require(try ModelGateCommand.parseAsRoot(["environment", "show", "-w", "ws1", "--name", "e", "--version", "4"]) as? EnvironmentCommand.Show)
        #expect(environment.version == 4)
    }

    @Test("model list filters by name, tags and latest")
    func modelListParses() throws {
        let list = try #require(try ModelGateCommand.parseAsRoot(["model", "list", "-w", "ws1", "--tag", "a=b", "--tag", "c=d", "--latest", "-o", "json"]) as? ModelCommand.List)
        #expect(list.name == nil)
        #expect(try Tags.parse(list.tag) == ["a": "b", "c": "d"])
        #expect(list.latest)
        #expect(list.options.output == .json)
    }

    @Test("compute attach aks takes a capacity and a purpose in Azure's spelling")
    func computeAttachParses() throws {
        let command = try ModelGateCommand.parseAsRoot([
            "compute", "attach", "aks", "-w", "ws1", "--name", "aks-prod", "--region", "eastus", "--cores", "12",
            "--memory-gb", "48", "--gpus", "2", "--purpose", "DevTest",
        ])
        let aks = try #require(command as? ComputeCommand.Aks)
        #expect(aks.name == "aks-prod" && aks.region == "eastus")
        #expect(aks.cores == 12 && aks.memoryGb == 48 && aks.gpus == 2)
        #expect(aks.purpose == .devTest)
        let defaults = try #require(try ModelGateCommand.parseAsRoot(["compute", "attach", "aks", "-w", "ws1", "--name", "a1", "--cores", "1", "--memory-gb", "1"]) as? ComputeCommand.Aks)
        #expect(defaults.purpose == .fastProd && defaults.region == nil && defaults.gpus == 0)
        #expect(PurposeArgument(argument: "fast_prod") == .fastProd)
    }

    @Test("environment register reads a requirements file or a conda file, not both")
    func environmentRegisterParses() throws {
        let command = try ModelGateCommand.parseAsRoot([
            "environment", "register", "-w", "ws1", "--name", "env", "--requirements", "requirements.txt",
            "--base-image", "mcr.microsoft.com/azureml/base", "--build-step", "echo hi", "--env", "A=1",
        ])
        let register = try #require(command as? EnvironmentCommand.Register)
        #expect(register.requirements == "requirements.txt")
        #expect(register.baseImage == "mcr.microsoft.com/azureml/base")
        #expect(register.buildStep == ["echo hi"])
    }

    @Test("The workspace comes from -w, else MODELGATE_WORKSPACE, else it is an error")
    func workspaceFallsBackToEnvironment() throws {
        let list = try #require(try ModelGateCommand.parseAsRoot(["model", "list", "-w", "flag"]) as? ModelCommand.List)
        #expect(try list.workspace.resolve(environment: ["MODELGATE_WORKSPACE": "env"]) == "flag")
        #expect(try WorkspaceOption.resolve(flag: nil, environment: ["MODELGATE_WORKSPACE": "env"]) == "env")
        #expect(try WorkspaceOption.resolve(flag: "", environment: ["MODELGATE_WORKSPACE": "env"]) == "env")
        #expect(throws: ValidationError.self) { try WorkspaceOption.resolve(flag: nil, environment: [:]) }
    }

    @Test("Malformed model, environment and compute arguments are refused before anything runs", arguments: [
        ["model", "register", "-w", "ws1", "--name", "iris"],
        ["model", "register", "-w", "ws1", "--name", "iris", "--path", "p", "--tag", "novalue"],
        ["model", "delete", "-w", "ws1", "--name", "iris"],
        ["model", "delete", "-w", "ws1", "--name", "iris", "--version", "0"],
        ["model", "show", "-w", "ws1", "--name", "iris", "--version", "x"],
        ["environment", "register", "-w", "ws1", "--name", "e", "--requirements", "r.txt", "--conda-file", "c.yml"],
        ["compute", "attach", "aks", "-w", "ws1", "--name", "a1", "--cores", "0", "--memory-gb", "1"],
        ["compute", "attach", "aks", "-w", "ws1", "--name", "a1", "--cores", "1", "--memory-gb", "1", "--purpose", "Cheap"],
        ["compute", "attach", "aks", "-w", "ws1", "--name", "a1", "--memory-gb", "1"],
        ["compute", "attach", "aci", "-w", "ws1", "--name", "a1"],
    ])
    func malformedArgumentsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(arguments) }
    }
}
