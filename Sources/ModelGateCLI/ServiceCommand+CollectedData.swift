internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

extension ServiceCommand {
    /// `modelgate service collected-data`: the model data a service with
    /// `collect_model_data` on has kept, as JSON lines.
    struct CollectedData: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "collected-data",
            abstract: "Print the scoring inputs and outputs a service collected (collect_model_data), one JSON object per line.",
            discussion: """
                Each line is a record as the server keeps it under <data-dir>/collected: time, request_id, \
                workspace, service, version, replica, status, http_status, latency_us, input and output. \
                --since takes an ISO-8601 time (2026-11-21T09:00:00Z) or an age such as 90s, 15m, 1h or 2d.
                """
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var workspace: WorkspaceOption
        @Option(name: [.short, .long], help: "The service's name.") var name: String
        @Option(name: .long, help: "Only this version's records ('default' for a web service).") var version: String?
        @Option(name: .long, help: "Only requests since this time: ISO-8601, or an age like 15m, 1h, 2d.") var since: String?
        @Option(name: .long, help: "At most this many records, the oldest first.") var limit: Int?

        func validate() throws {
            if let limit = self.limit, limit < 1 { throw ValidationError("--limit must be 1 or more") }
            if let since = self.since, Self.parseSince(since, now: Date()) == nil {
                throw ValidationError("--since '\(since)' is neither an ISO-8601 time (2026-11-21T09:00:00Z) nor an age like 90s, 15m, 1h or 2d")
            }
        }

        func run() async throws {
            let workspace = try self.workspace.resolve()
            let since = self.since.flatMap { Self.parseSince($0, now: Date()) }
            try await self.options.withClient { client in
                let records = client.collectedData(
                    workspace: workspace, service: self.name, version: self.version, since: since, limit: self.limit ?? 0
                )
                for try await record in records {
                    FileHandle.standardOutput.write(Data((record.json + "\n").utf8))
                }
            }
        }

        /// `--since`: an ISO-8601 time (with or without fractional seconds), or
        /// an age before `now` (`<number><s|m|h|d>`).
        static func parseSince(_ text: String, now: Date) -> Date? {
            let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            if let unit = text.last, let seconds = units[unit], let count = Double(text.dropLast()), count >= 0, count.isFinite {
                return now.addingTimeInterval(-count * seconds)
            }
            let formatter = ISO8601DateFormatter()
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: text)
        }
    }
}
