internal import ArgumentParser
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate role assign`, after `az role assignment create`.
struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role",
        abstract: "Give principals roles on workspaces.",
        subcommands: [Assign.self]
    )

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a principal a role on a workspace, replacing its previous role there.",
            discussion: """
                Reader reads the workspace and fetches scoring tokens; Contributor also changes \
                its resources and reads service keys; Owner also assigns roles. Needs Owner.
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: .long, help: "The principal's client id.") var principal: String
        @Option(name: .long, help: "Reader, Contributor or Owner.") var role: RoleArgument

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let assignment = try await self.options.withClient {
                try await $0.assignRole(self.role.wire, to: self.principal, on: workspace)
            }
            Printer(format: self.options.output).printObject([
                "principal": assignment.clientID, "workspace": assignment.workspace, "role": self.role.displayName,
                "assignedBy": assignment.assignedBy,
            ])
        }
    }
}

/// `--role Reader|Contributor|Owner`, in any case.
enum RoleArgument: String, ExpressibleByArgument, CaseIterable {
    case reader
    case contributor
    case owner

    init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    static var allValueStrings: [String] { Self.allCases.map(\.displayName) }

    /// Azure's spelling.
    var displayName: String { self.rawValue.prefix(1).uppercased() + self.rawValue.dropFirst() }

    var wire: Role {
        switch self {
        case .reader: .reader
        case .contributor: .contributor
        case .owner: .owner
        }
    }
}
