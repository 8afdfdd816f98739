internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

extension ServiceCommand {
    /// `modelgate service get-logs`, after `az ml service get-logs`.
    struct GetLogs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get-logs",
            abstract: "Print a web service's replica output (score.py's prints, tracebacks, ModelGate's own lines).",
            discussion: "With --follow, keeps printing new lines until interrupted. JSON output is one object per line."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String
        @Option(name: .long, help: "Lines from the end of each replica's log (default: all).") var tail: Int?
        @Flag(name: [.short, .long], help: "Keep printing new lines as they are written.") var follow = false
        @Option(name: .long, help: "Only this replica's lines.") var replica: String?

        func validate() throws {
            if let tail = self.tail, tail < 1 { throw ValidationError("--tail must be 1 or more") }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let format = self.options.output
            try await self.options.withClient { client in
                let lines = client.logs(
                    workspace: workspace, service: self.name, tail: self.tail ?? 0, follow: self.follow, replicaID: self.replica)
                for try await line in lines {
                    let text = format == .json ? Self.json(line) : line.text
                    // Written at once: with --follow, a pipe sees each line as it comes.
                    FileHandle.standardOutput.write(Data((text + "\n").utf8))
                }
            }
        }

        /// One line as a one-line JSON object.
        static func json(_ line: LogLine) -> String {
            let object: [String: Any] = [
                "replicaId": line.replicaID, "version": line.version, "source": Printer.name(of: line.source),
                "time": Printer.time(unixMs: line.timestampUnixMs), "text": line.text,
            ]
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
                return "{}"
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
