import ArgumentParser
import ModelGateAPI
import Testing

@testable import ModelGateCLI

/// `model deploy` and `service ...` parse as `az ml` spells them, without running anything.
@Suite("modelgate model deploy and service command lines")
struct DeployCommandParsingTests {
    @Test("model deploy takes Azure's one-dash -ic, -dc and -ct, repeated -m, and --overwrite")
    func deployTakesAzureFlags() throws {
        let command = try ModelGateCommand.parseAsRoot([
            "model", "deploy", "-w", "ws1", "-n", "linreg", "-m", "linreg:1", "-m", "scaler:2", "-ic", "inferenceconfig.json",
            "-dc", "deploymentconfig.json", "-ct", "aks-prod", "--overwrite", "--tag", "team=fraud",
        ])
        let deploy = try #require(command as? ModelCommand.Deploy)
        #expect(deploy.name == "linreg")
        #expect(deploy.files.model == ["linreg:1", "scaler:2"])
        #expect(deploy.files.inferenceConfigFile == "inferenceconfig.json")
        #expect(deploy.files.deployConfigFile == "deploymentconfig.json")
        #expect(deploy.files.computeTarget == "aks-prod")
        #expect(deploy.overwrite && !deploy.noWait && !deploy.showOutput)
        let verbose = try #require(
            try ModelGateCommand.parseAsRoot(["model", "deploy", "-w", "ws1", "-n", "s", "-m", "m", "-ic", "i.json", "--show-output", "--no-wait"])
                as? ModelCommand.Deploy)
        #expect(verbose.showOutput && verbose.noWait && verbose.files.deployConfigFile == nil)
        #expect(try Tags.parse(deploy.files.tag) == ["team": "fraud"])
    }

    @Test("The two-letter flags also take two dashes and their long names", arguments: [
        ["--ic", "i.json", "--dc", "d.json", "--ct", "aks1"],
        ["--inference-config-file", "i.json", "--deploy-config-file", "d.json", "--compute-target", "aks1"],
    ])
    func longSpellings(flags: [String]) throws {
        let command = try ModelGateCommand.parseAsRoot(["model", "deploy", "-w", "ws1", "--name", "s", "--model", "m:1"] + flags)
        let deploy = try #require(command as? ModelCommand.Deploy)
        #expect(deploy.files.inferenceConfigFile == "i.json")
        #expect(deploy.files.deployConfigFile == "d.json")
        #expect(deploy.files.computeTarget == "aks1")
    }

    @Test("service run takes the input data, or @FILE, and an optional key")
    func serviceRunParses() throws {
        let command = try ModelGateCommand.parseAsRoot(["service", "run", "-w", "ws1", "-n", "linreg", "--input-data", #"{"data": [[1, 2, 3]]}"#])
        let run = try #require(command as? ServiceCommand.Run)
        #expect(run.key == nil)
        #expect(try ServiceCommand.Run.body(from: run.inputData) == Array(#"{"data": [[1, 2, 3]]}"#.utf8))
        let keyed = try #require(try ModelGateCommand.parseAsRoot(["service", "run", "-w", "ws1", "-n", "s", "-d", "{}", "--key", "k1"]) as? ServiceCommand.Run)
        #expect(keyed.key == "k1" && keyed.inputData == "{}")
        #expect(throws: ValidationError.self) { try ServiceCommand.Run.body(from: "@/no/such/file.json") }
    }

    @Test("service regen-key takes primary or secondary in any case")
    func regenKeyParses() throws {
        let primary = try #require(try ModelGateCommand.parseAsRoot(["service", "regen-key", "-w", "ws1", "-n", "s", "--key", "Primary"]) as? ServiceCommand.RegenKey)
        #expect(primary.key == .primary && primary.key.wire == .primary && primary.setKey == nil)
        let secondary = try #require(try ModelGateCommand.parseAsRoot(["service", "regen-key", "-w", "ws1", "-n", "s", "-k", "SECONDARY", "--set-key", "v"]) as? ServiceCommand.RegenKey)
        #expect(secondary.key == .secondary && secondary.setKey == "v")
    }

    @Test("service get-logs, list, show, delete, get-keys and update parse")
    func otherServiceCommandsParse() throws {
        let logs = try #require(try ModelGateCommand.parseAsRoot(["service", "get-logs", "-w", "ws1", "-n", "s", "--tail", "20", "--follow"]) as? ServiceCommand.GetLogs)
        #expect(logs.tail == 20 && logs.follow)
        let list = try #require(try ModelGateCommand.parseAsRoot(["service", "list", "-w", "ws1", "--compute-target", "aks1", "--model-name", "m"]) as? ServiceCommand.List)
        #expect(list.computeTarget == "aks1" && list.modelName == "m")
        #expect(try ModelGateCommand.parseAsRoot(["service", "show", "-w", "ws1", "-n", "s"]) is ServiceCommand.Show)
        #expect(try ModelGateCommand.parseAsRoot(["service", "delete", "-w", "ws1", "-n", "s"]) is ServiceCommand.Delete)
        #expect(try ModelGateCommand.parseAsRoot(["service", "get-keys", "-w", "ws1", "-n", "s"]) is ServiceCommand.GetKeys)
        let update = try #require(try ModelGateCommand.parseAsRoot(["service", "update", "-w", "ws1", "-n", "s", "-m", "m:2", "-dc", "d.json"]) as? ServiceCommand.Update)
        #expect(update.files.model == ["m:2"] && update.files.deployConfigFile == "d.json")
    }

    @Test("Incomplete or malformed deploy and service arguments are refused before anything runs", arguments: [
        ["model", "deploy", "-w", "ws1", "-n", "s", "-ic", "i.json"],
        ["model", "deploy", "-w", "ws1", "-n", "s", "-m", "m:1"],
        ["model", "deploy", "-w", "ws1", "-m", "m:1", "-ic", "i.json"],
        ["model", "deploy", "-w", "ws1", "-n", "s", "-m", ":1", "-ic", "i.json"],
        ["model", "deploy", "-w", "ws1", "-n", "s", "-m", "m:1", "-ic", "i.json", "--tag", "novalue"],
        ["service", "run", "-w", "ws1", "-n", "s"],
        ["service", "regen-key", "-w", "ws1", "-n", "s", "--key", "tertiary"],
        ["service", "get-logs", "-w", "ws1", "-n", "s", "--tail", "0"],
        ["service", "update", "-w", "ws1", "-n", "s"],
        ["service", "update", "-w", "ws1", "-n", "s", "-m", "m:2", "-ct", "other"],
        ["service", "show", "-w", "ws1"],
    ])
    func malformedArgumentsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { try ModelGateCommand.parseAsRoot(arguments) }
    }
}
