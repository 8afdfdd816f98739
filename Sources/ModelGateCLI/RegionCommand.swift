internal import ArgumentParser
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate region list|set|latency`.
struct RegionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "region",
        abstract: "List regions, their availability and latencies; simulate outages and distances.",
        subcommands: [List.self, Set.self, Latency.self]
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

    /// `modelgate region set NAME --unavailable|--available`.
    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a region unavailable or available again (admin; for chaos tests).",
            discussion: """
                While a workspace's region is unavailable, its control-plane calls and token fetches \
                answer UNAVAILABLE at once; scoring keeps working. Everything answers again as soon \
                as the region is marked available.
                """
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "The region's name, such as westeurope.") var region: String
        @Flag(help: "Whether the region is up.") var availability: Availability
        @Option(name: .long, help: "Why the region is down (shown in UNAVAILABLE errors).") var reason: String = ""

        enum Availability: EnumerableFlag {
            case available
            case unavailable
        }

        func run() async throws {
            let region = try await self.options.withClient {
                try await $0.setRegionAvailability(self.region, available: self.availability == .available, reason: self.reason)
            }
            Printer(format: self.options.output).printObject([
                "name": region.name, "available": region.available, "reason": region.unavailableReason,
            ])
        }
    }

    /// `modelgate region latency A B --ms N`.
    struct Latency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the round-trip latency between two regions, both ways (admin).",
            discussion: "A token fetch for a service whose cluster is in another region than its workspace takes this much longer."
        )
        @OptionGroup var options: ClientOptions
        @Argument(help: "One region.") var from: String
        @Argument(help: "The other region.") var to: String
        @Option(name: .long, help: "Round-trip milliseconds.") var ms: UInt32

        func validate() throws {
            guard self.from != self.to else { throw ValidationError("a region has no latency to itself ('\(self.from)')") }
        }

        func run() async throws {
            _ = try await self.options.withClient { try await $0.setRegionLatency(from: self.from, to: self.to, milliseconds: self.ms) }
            Printer(format: self.options.output).printObject(["from": self.from, "to": self.to, "roundTripMs": Int(self.ms)])
        }
    }
}
