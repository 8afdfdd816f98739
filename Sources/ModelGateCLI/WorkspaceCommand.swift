internal import ArgumentParser
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate workspace create|show|list|delete|signing-keys`.
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Create, show, list and delete workspaces.",
        subcommands: [Create.self, Show.self, List.self, Delete.self, SigningKeys.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace in a region.")
        @OptionGroup var options: ClientOptions
        @Option(name: [.short, .long], help: "The workspace's name.") var name: String
        @Option(name: [.short, .long], help: "The region it lives in (see `modelgate region list`).") var region: String
        @Option(name: .long, help: "A description.") var description: String = ""
        @Option(name: .long, help: "A tag KEY=VALUE; repeat for more.") var tag: [String] = []

        func validate() throws {
            _ = try Tags.parse(self.tag)
        }

        func run() async throws {
            let tags = try Tags.parse(self.tag)
            let workspace = try await self.options.withClient {
                try await $0.createWorkspace(name: self.name, region: self.region, description: self.description, tags: tags)
            }
            WorkspaceView(workspace).print(Printer(format: self.options.output))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a workspace.")
        @OptionGroup var options: ClientOptions
        @Option(name: [.short, .customLong("name"), .customShort("w"), .customLong("workspace")], help: "The workspace's name.")
        var name: String

        func run() async throws {
            let workspace = try await self.options.withClient { try await $0.workspace(named: self.name) }
            WorkspaceView(workspace).print(Printer(format: self.options.output))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workspaces.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let workspaces = try await self.options.withClient { try await $0.listWorkspaces() }
            Printer(format: self.options.output).printTable(
                columns: ["NAME", "REGION", "CREATED", "DESCRIPTION"],
                rows: workspaces.map { [$0.name, $0.region, Printer.time(unixMs: $0.createdAtUnixMs), $0.description] },
                json: workspaces.map { WorkspaceView($0).json }
            )
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a workspace.")
        @OptionGroup var options: ClientOptions
        @Option(name: [.short, .customLong("name"), .customShort("w"), .customLong("workspace")], help: "The workspace's name.")
        var name: String

        func run() async throws {
            try await self.options.withClient { try await $0.deleteWorkspace(named: self.name) }
            Printer(format: self.options.output).printMessage(
                "deleted workspace '\(self.name)'", json: ["deleted": self.name])
        }
    }
}

/// How a workspace is printed.
struct WorkspaceView {
    let workspace: Workspace
    init(_ workspace: Workspace) { self.workspace = workspace }

    var json: [String: Any] {
        [
            "name": self.workspace.name, "region": self.workspace.region,
            "description": self.workspace.description, "tags": self.workspace.tags,
            "createdAt": Printer.time(unixMs: self.workspace.createdAtUnixMs), "createdBy": self.workspace.createdBy,
        ]
    }

    func print(_ printer: Printer) {
        printer.printObject([
            "name": self.workspace.name,
            "region": self.workspace.region,
            "description": self.workspace.description,
            "tags": self.workspace.tags,
            "createdAt": Printer.time(unixMs: self.workspace.createdAtUnixMs),
            "createdBy": self.workspace.createdBy,
        ])
    }
}

/// `KEY=VALUE` arguments.
enum Tags {
    static func parse(_ arguments: [String]) throws -> [String: String] {
        var tags: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw ValidationError("tag '\(argument)' is not KEY=VALUE")
            }
            tags[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
        }
        return tags
    }
}
