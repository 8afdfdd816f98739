import ArgumentParser
import ModelGateAPI
import Testing

@testable import ModelGateCLI

/// `endpoint ...` parses as `az ml endpoint realtime` spells it, without running anything.
@Suite("modelgate endpoint command lines")
struct EndpointCommandParsingTests {
    @Test("endpoint create takes the first version's flags and Azure's one-dash -ic, -dc and -ct")
    func create() throws {
        let command = try ModelGateCommand.parseAsRoot([
            "endpoint", "create", "-w", "ws1", "-n", "linreg-ep", "--version-name", "versiona", "-m", "linreg:1",
            "-ic", "inferenceconfig.json", "-dc", "deploymentconfig.json", "-ct", "aks-prod", "--traffic-percentile", "20",
        ])
        let create = try #require(command as? EndpointCommand.Create)
        #expect(create.name == "linreg-ep")
        #expect(create.version.versionName == "versiona")
        #expect(create.version.trafficPercentile == 20)
        #expect(create.files.model == ["linreg:1"])
        #expect(create.files.computeTarget == "aks-prod")
        #expect(throws: (any Error).self) {
            try ModelGateCommand.parseAsRoot(["endpoint", "create", "-w", "ws1", "-n", "e", "--version-name", "v", "-ct", "aks"])
        }
        #expect(throws: (any Error).self) {
            try ModelGateCommand.parseAsRoot([
                "endpoint", "create", "-w", "ws1", "-n", "e", "--version-name", "v", "-ic", "i.json", "-ct", "aks",
                "--traffic-percentile", "101",
            ])
        }
    }

    @Test("version update sends exactly the fields its flags give, as the update mask")
    func updateMask() throws {
        let command = try ModelGateCommand.parseAsRoot([
            "endpoint", "version", "update", "-w", "ws1", "-n", "linreg-ep", "--version-name", "versionb",
            "--traffic-percentile", "0", "--is-default", "--is-control-version-type",
        ])
        let update = try #require(command as? EndpointCommand.VersionCommand.Update)
        let (version, mask) = try update.version.version(files: update.files, log: ProgressLog(format: .json))
        #expect(mask == ["traffic_percentile", "is_default", "version_type"])
        #expect(version.name == "versionb" && version.trafficPercentile == 0 && version.isDefault && version.versionType == .control)
        let treatment = try #require(try ModelGateCommand.parseAsRoot([
            "endpoint", "version", "update", "-w", "ws1", "-n", "e", "--version-name", "v", "--no-is-control-version-type",
        ]) as? EndpointCommand.VersionCommand.Update)
        let (demoted, demotedMask) = try treatment.version.version(files: treatment.files, log: ProgressLog(format: .json))
        #expect(demotedMask == ["version_type"] && demoted.versionType == .treatment)
    }

    @Test("version delete and service run --version parse")
    func deleteAndRun() throws {
        let delete = try #require(try ModelGateCommand.parseAsRoot([
            "endpoint", "version", "delete", "-w", "ws1", "-n", "e", "--version-name", "v2",
        ]) as? EndpointCommand.VersionCommand.Delete)
        #expect(delete.versionName == "v2")
        let run = try #require(try ModelGateCommand.parseAsRoot([
            "service", "run", "-w", "ws1", "-n", "e", "--version", "v2", "--input-data", "{}",
        ]) as? ServiceCommand.Run)
        #expect(run.version == "v2")
    }
}
