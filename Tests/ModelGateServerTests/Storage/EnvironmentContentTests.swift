import ModelGateAPI
@testable import ModelGateServer
import Testing

@Suite("Environment content and its hash")
struct EnvironmentContentTests {
    static func environment(requirements: [String] = [], conda: String = "", python: String = "", steps: [String] = []) -> Environment {
        var environment = Environment()
        environment.workspace = "ws1"
        environment.name = "env"
        environment.pipRequirements = requirements
        environment.condaYaml = conda
        environment.pythonVersion = python
        environment.buildSteps = steps
        return environment
    }

    @Test("Requirements of only comments and blank lines mean no packages: nothing to build")
    func commentsOnlyMeanNoPackages() throws {
        let content = try EnvironmentContent(Self.environment(requirements: ["# pinned elsewhere", "", "   ", "#numpy"]))
        #expect(content.requirements.isEmpty)
        #expect(!content.needsBuild)
        #expect(content.contentHash == (try EnvironmentContent(Self.environment())).contentHash)
    }

    @Test("Formatting does not change the hash; content does")
    func hashFollowsContentNotFormatting() throws {
        let plain = try EnvironmentContent(Self.environment(requirements: ["numpy==1.26.4", "pandas"]))
        let noisy = try EnvironmentContent(Self.environment(requirements: ["  numpy==1.26.4   # the math", "", "# data", "pandas"]))
        let other = try EnvironmentContent(Self.environment(requirements: ["numpy==1.26.3", "pandas"]))
        let stepped = try EnvironmentContent(Self.environment(requirements: ["numpy==1.26.4", "pandas"], steps: ["echo hi"]))
        #expect(plain.contentHash == noisy.contentHash)
        #expect(plain.requirements == ["numpy==1.26.4", "pandas"])
        #expect(plain.contentHash != other.contentHash)
        #expect(plain.contentHash != stepped.contentHash)
        #expect(StreamingSHA256.isValidHex(plain.contentHash))
    }

    @Test("A conda file's pip section, Python pin, channels and conda packages are read")
    func condaFileIsRead() throws {
        let yaml = """
            name: project_environment   # Azure's default name
            channels:
              - conda-forge
            dependencies:
            - python=3.11.4
            - pip
            - numpy
            - pip:
                - azureml-defaults
                - "scikit-learn==1.5.0"  # quoted
            - scipy
            """
        let content = try EnvironmentContent(Self.environment(conda: yaml))
        #expect(content.requirements == ["azureml-defaults", "scikit-learn==1.5.0"])
        #expect(content.pythonVersion == "3.11.4")
        #expect(!content.pythonVersionIsExplicit)
        #expect(content.condaPackages == ["numpy", "scipy"])
        #expect(content.condaChannels == ["conda-forge"])

        let flow = try EnvironmentContent(Self.environment(conda: "channels: [defaults]\ndependencies:\n  - python=3.11.4\n  - numpy\n  - scipy\n  - pip: [azureml-defaults, scikit-learn==1.5.0]\n  - pip\n"))
        #expect(flow.requirements == content.requirements)
        #expect(flow.condaChannels == ["defaults"])
        #expect(flow.condaPackages == content.condaPackages)
    }

    @Test("Pip requirements and a conda file together are INVALID_ARGUMENT")
    func requirementsAndCondaTogetherAreRefused() {
        let error = #expect(throws: RPCError.self) {
            try EnvironmentContent(Self.environment(requirements: ["numpy"], conda: "dependencies:\n  - pip:\n    - numpy\n"))
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("A malformed Python version is INVALID_ARGUMENT", arguments: ["three", "3.", "3..1", "3.11.4.1", "-3"])
    func malformedPythonVersionIsRefused(version: String) {
        let error = #expect(throws: RPCError.self) { try EnvironmentContent(Self.environment(python: version)) }
        #expect(error?.code == .invalidArgument)
    }

    @Test("Continuation lines are joined as pip joins them")
    func continuationLinesAreJoined() {
        #expect(EnvironmentContent.normalize(["numpy \\", "  ==1.26.4", "pandas # x"]) == ["numpy ==1.26.4", "pandas"])
    }
}
