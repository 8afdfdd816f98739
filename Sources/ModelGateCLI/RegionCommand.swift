internal import ArgumentParser
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate region list`.
struct RegionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "region",
        abstract: "List regions, their availability and latencies.",
        subcommands: [List.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List regions.")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let regions = try await self.options.withClient { try await $0.listRegions() }
            Printer(format: self.options.output).printTable(
                columns: ["NAME", "DISPLAY NAME", "AVAILABLE"],
                rows: regions.map { [$0.name, $0.displayName, $0.available ? "yes" : "no"] },
                json: regions.map { region in
                    [
                        "name": region.name, "displayName": region.displayName, "available": region.available,
                        "latencies": Dictionary(uniqueKeysWithValues: region.latencies.map { ($0.region, Int($0.roundTripMs)) }),
                    ] as [String: Any]
                }
            )
        }
    }
}
