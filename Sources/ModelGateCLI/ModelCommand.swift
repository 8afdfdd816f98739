internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate model register|list|show|delete`.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Register, list, show, delete and deploy models.",
        subcommands: [Register.self, List.self, Show.self, Delete.self, Deploy.self]
    )

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a new version of a model from a file or a folder.",
            discussion: """
                As with Azure's Model.register, a file keeps its name in the model and a folder keeps \
                its own name as the first path component: the scoring script finds them under \
                AZUREML_MODEL_DIR. Versions count up from 1 per name.
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The model's name.") var name: String
        @Option(name: [.short, .long], help: "The file or folder to register.") var path: String
        @Option(name: .long, help: "A tag KEY=VALUE; repeat for more.") var tag: [String] = []
        @Option(name: .long, help: "A property KEY=VALUE; repeat for more.") var property: [String] = []
        @Option(name: .long, help: "A description.") var description: String = ""
        @Option(name: .long, help: "The framework, such as ScikitLearn.") var modelFramework: String = ""
        @Option(name: .long, help: "The framework's version.") var modelFrameworkVersion: String = ""

        func validate() throws {
            _ = try Tags.parse(self.tag)
            _ = try Tags.parse(self.property)
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let tags = try Tags.parse(self.tag)
            let properties = try Tags.parse(self.property)
            let model = try await self.options.withClient {
                try await $0.registerModel(
                    workspace: workspace, name: self.name, path: self.path, description: self.description, tags: tags,
                    properties: properties, modelFramework: self.modelFramework, modelFrameworkVersion: self.modelFrameworkVersion
                )
            }
            ModelView(model).print(Printer(format: self.options.output))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List model versions, optionally by name and tags.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "Only this model's versions.") var name: String?
        @Option(name: .long, help: "Only versions with this tag KEY=VALUE; repeat for more (all must match).") var tag: [String] = []
        @Flag(name: .long, help: "Only the latest version of each model.") var latest = false

        func validate() throws {
            _ = try Tags.parse(self.tag)
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let tags = try Tags.parse(self.tag)
            let models = try await self.options.withClient {
                try await $0.listModels(workspace: workspace, name: self.name, tags: tags, latestOnly: self.latest)
            }
            Printer(format: self.options.output).printTable(
                columns: ["NAME", "VERSION", "FILES", "SIZE", "TAGS", "CREATED"],
                rows: models.map { model in
                    [
                        model.name, "\(model.version)", "\(model.files.count)", ModelView.size(model.sizeBytes),
                        Printer.text(model.tags), Printer.time(unixMs: model.createdAtUnixMs),
                    ]
                },
                json: models.map { ModelView($0).json }
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a model version (the latest unless --version).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The model's name.") var name: String
        @Option(name: .long, help: "The version; default the latest.") var version: Int?

        func validate() throws {
            if let version = self.version, version < 1 { throw ValidationError("--version must be 1 or more") }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let model = try await self.options.withClient {
                try await $0.model(workspace: workspace, name: self.name, version: self.version)
            }
            ModelView(model).print(Printer(format: self.options.output))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a model version; refused while a service uses it.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The model's name.") var name: String
        @Option(name: .long, help: "The version to delete.") var version: Int

        func validate() throws {
            guard self.version >= 1 else { throw ValidationError("--version must be 1 or more") }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            try await self.options.withClient {
                try await $0.deleteModel(workspace: workspace, name: self.name, version: self.version)
            }
            Printer(format: self.options.output).printMessage(
                "deleted model '\(self.name):\(self.version)'", json: ["deleted": "\(self.name):\(self.version)"])
        }
    }
}

/// How a model version is printed.
struct ModelView {
    let model: Model
    init(_ model: Model) { self.model = model }

    var json: [String: Any] {
        [
            "workspace": self.model.workspace, "name": self.model.name, "version": Int(self.model.version),
            "description": self.model.description, "tags": self.model.tags, "properties": self.model.properties,
            "modelFramework": self.model.modelFramework, "modelFrameworkVersion": self.model.modelFrameworkVersion,
            "sizeBytes": Int(clamping: self.model.sizeBytes),
            "files": self.model.files.map { ["path": $0.path, "sizeBytes": Int(clamping: $0.sizeBytes), "sha256": $0.sha256] as [String: Any] },
            "createdAt": Printer.time(unixMs: self.model.createdAtUnixMs), "createdBy": self.model.createdBy,
        ]
    }

    func print(_ printer: Printer) {
        switch printer.format {
        case .json:
            // printMessage prints its JSON form as it is: the whole object, files included.
            printer.printMessage("", json: self.json)
        case .text:
            printer.printObject([
                "name": self.model.name,
                "version": Int(self.model.version),
                "workspace": self.model.workspace,
                "description": self.model.description,
                "tags": self.model.tags,
                "properties": self.model.properties,
                "framework": [self.model.modelFramework, self.model.modelFrameworkVersion].filter { !$0.isEmpty }.joined(separator: " "),
                "size": Self.size(self.model.sizeBytes),
                "files": self.model.files.map { "\($0.path) (\(Self.size($0.sizeBytes)))" },
                "createdAt": Printer.time(unixMs: self.model.createdAtUnixMs),
                "createdBy": self.model.createdBy,
            ])
        }
    }

    /// Bytes in the largest unit that keeps a number of at least 1 (`1.5 MiB`).
    static func size(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\(String(format: "%.1f", value)) \(units[unit])"
    }
}
