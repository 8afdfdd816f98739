internal import ArgumentParser
internal import Foundation

/// `-w/--workspace`, shared by the commands that act inside a workspace; falls
/// back to `MODELGATE_WORKSPACE`, as `az ml` falls back to its configured workspace.
struct WorkspaceOption: ParsableArguments {
    @Option(name: [.short, .long], help: "The workspace (default: MODELGATE_WORKSPACE).")
    var workspace: String?

    /// The environment variable read when the flag is absent.
    static let environmentVariable = "MODELGATE_WORKSPACE"

    func validate() throws {
        _ = try self.resolve()
    }

    /// The workspace's name from the flag, else the environment.
    ///
    /// - Throws: `ValidationError` when neither names one.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        try Self.resolve(flag: self.workspace, environment: environment)
    }

    /// The workspace's name from `flag`, else `environment`'s `MODELGATE_WORKSPACE`.
    static func resolve(flag: String?, environment: [String: String]) throws -> String {
        if let flag, !flag.isEmpty { return flag }
        if let workspace = environment[Self.environmentVariable], !workspace.isEmpty { return workspace }
        throw ValidationError("no workspace: pass -w/--workspace NAME or set \(Self.environmentVariable)")
    }
}
