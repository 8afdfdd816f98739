public import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateServer

/// The `modelgate` command: the server (`serve`) and the client commands in one binary.
public struct ModelGateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "modelgate",
        abstract: "Deploy machine-learning models as authenticated, autoscaled scoring services.",
        discussion: """
            Start a server with `modelgate serve`; the other commands talk to it. They find \
            the server from --server or MODELGATE_SERVER and the credentials from --credentials \
            or MODELGATE_CREDENTIALS, else from the data directory (--data-dir, MODELGATE_DATA_DIR, \
            default ~/.modelgate).
            """,
        version: ModelGateServerApp.version,
        subcommands: [
            Serve.self, WorkspaceCommand.self, ModelCommand.self, EnvironmentCommand.self, ComputeCommand.self,
            ServiceCommand.self, EndpointCommand.self, RegionCommand.self, IdentityCommand.self, RoleCommand.self, LoginCommand.self, HealthCommand.self,
            ChaosCommand.self, TlsCommand.self,
        ]
    )

    public init() {}

    /// Parses the arguments and runs the command. Failures print
    /// `error: CODE: message` on stderr and exit non-zero.
    public static func runMain() async {
        do {
            var command = try Self.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as RPCError {
            FileHandle.standardError.write(Data("error: \(error.code): \(error.message)\n".utf8))
            Foundation.exit(Self.exitCode(for: error.code))
        } catch {
            Self.exit(withError: error)
        }
    }

    /// Exit status for a failed call: 1 for a usage-independent failure, with
    /// distinct codes for the statuses scripts most often branch on.
    static func exitCode(for code: StatusCode) -> Int32 {
        switch code {
        case .notFound: 3
        case .unauthenticated, .permissionDenied: 4
        case .unavailable: 5
        default: 1
        }
    }
}
