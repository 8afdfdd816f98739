internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate environment register|show|list`.
struct EnvironmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environment",
        abstract: "Register, show and list the environments scoring code runs in.",
        subcommands: [Register.self, Show.self, List.self]
    )

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a new version of an environment.",
            discussion: """
                Give Python packages as a pip requirements file or a conda YAML (its pip section is \
                installed). With neither, replicas run on the server's own python3. Registering \
                the same content as the latest version returns that version.
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The environment's name.") var name: String
        @Option(name: .long, help: "A pip requirements file.") var requirements: String?
        @Option(name: .long, help: "A conda environment YAML; its pip section is installed.") var condaFile: String?
        @Option(name: .long, help: "The base image's name (recorded; local replicas do not use it).") var baseImage: String = ""
        @Option(name: .long, help: "The Python version, such as 3.11 (default: the server's python3).") var pythonVersion: String = ""
        @Option(name: .long, help: "A shell command run in the environment after installing; repeat for more.") var buildStep: [String] = []
        @Option(name: .long, help: "An environment variable KEY=VALUE for the scoring code; repeat for more.") var env: [String] = []
        @Option(name: .long, help: "A tag KEY=VALUE; repeat for more.") var tag: [String] = []
        @Option(name: .long, help: "A description.") var description: String = ""

        func validate() throws {
            if self.requirements != nil && self.condaFile != nil {
                throw ValidationError("give --requirements or --conda-file, not both")
            }
            _ = try Tags.parse(self.tag)
            _ = try Tags.parse(self.env)
        }

        /// The environment these options describe, with the files read.
        func makeEnvironment(workspace: String) throws -> Environment {
            var environment = Environment()
            environment.workspace = workspace
            environment.name = self.name
            environment.baseImage = self.baseImage
            environment.pythonVersion = self.pythonVersion
            environment.buildSteps = self.buildStep
            environment.environmentVariables = try Tags.parse(self.env)
            environment.tags = try Tags.parse(self.tag)
            environment.description = self.description
            if let path = self.requirements {
                environment.pipRequirements = try Self.read(path).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
            }
            if let path = self.condaFile {
                environment.condaYaml = try Self.read(path)
            }
            return environment
        }

        func run() async throws {
            let environment = try self.makeEnvironment(workspace: try self.workspace.resolve())
            let registered = try await self.options.withClient { try await $0.registerEnvironment(environment) }
            EnvironmentView(registered).print(Printer(format: self.options.output))
        }

        private static func read(_ path: String) throws -> String {
            do {
                return try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read '\(path)': \(error.localizedDescription)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an environment version (the latest unless --version).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The environment's name.") var name: String
        @Option(name: .long, help: "The version; default the latest.") var version: Int?

        func validate() throws {
            if let version = self.version, version < 1 { throw ValidationError("--version must be 1 or more") }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let environment = try await self.options.withClient {
                try await $0.environment(workspace: workspace, name: self.name, version: self.version)
            }
            EnvironmentView(environment).print(Printer(format: self.options.output))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List environment versions.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "Only this environment's versions.") var name: String?
        @Flag(name: .long, help: "Only the latest version of each environment.") var latest = false

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let environments = try await self.options.withClient {
                try await $0.listEnvironments(workspace: workspace, name: self.name, latestOnly: self.latest)
            }
            Printer(format: self.options.output).printTable(
                columns: ["NAME", "VERSION", "PACKAGES", "HASH", "CREATED"],
                rows: environments.map { environment in
                    [
                        environment.name, "\(environment.version)", EnvironmentView.packages(environment),
                        String(environment.contentHash.prefix(12)), Printer.time(unixMs: environment.createdAtUnixMs),
                    ]
                },
                json: environments.map { EnvironmentView($0).json }
            )
        }
    }
}

/// How an environment version is printed.
struct EnvironmentView {
    let environment: Environment
    init(_ environment: Environment) { self.environment = environment }

    var json: [String: Any] {
        [
            "workspace": self.environment.workspace, "name": self.environment.name, "version": Int(self.environment.version),
            "pythonVersion": self.environment.pythonVersion, "pipRequirements": self.environment.pipRequirements,
            "condaYaml": self.environment.condaYaml, "baseImage": self.environment.baseImage,
            "buildSteps": self.environment.buildSteps, "environmentVariables": self.environment.environmentVariables,
            "contentHash": self.environment.contentHash, "description": self.environment.description,
            "tags": self.environment.tags, "createdAt": Printer.time(unixMs: self.environment.createdAtUnixMs),
            "createdBy": self.environment.createdBy,
        ]
    }

    func print(_ printer: Printer) {
        switch printer.format {
        case .json:
            // printMessage prints its JSON form as it is: the whole object.
            printer.printMessage("", json: self.json)
        case .text:
            printer.printObject([
                "name": self.environment.name,
                "version": Int(self.environment.version),
                "workspace": self.environment.workspace,
                "python": self.environment.pythonVersion.isEmpty ? "the server's python3" : self.environment.pythonVersion,
                "packages": Self.packages(self.environment),
                "baseImage": self.environment.baseImage,
                "buildSteps": self.environment.buildSteps,
                "variables": self.environment.environmentVariables,
                "contentHash": self.environment.contentHash,
                "description": self.environment.description,
                "tags": self.environment.tags,
                "createdAt": Printer.time(unixMs: self.environment.createdAtUnixMs),
                "createdBy": self.environment.createdBy,
            ])
        }
    }

    /// The package lines, without blanks and comments, or where they come from.
    static func packages(_ environment: Environment) -> String {
        if !environment.condaYaml.isEmpty { return "conda file" }
        let lines = environment.pipRequirements
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        return lines.isEmpty ? "none" : lines.joined(separator: ", ")
    }
}
