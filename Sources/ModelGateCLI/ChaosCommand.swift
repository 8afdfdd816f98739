internal import ArgumentParser
internal import Foundation

/// `modelgate chaos`: the region-outage drill of issue 4, against a server it
/// starts itself. `tools/chaos/run` builds the binary and runs this.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Run a bounded region-outage drill against a fresh local server and check that nothing falls over.",
        discussion: """
            Starts `modelgate serve` on a free loopback port and a temporary data directory, deploys \
            an echo script as a key-auth and a token-auth service (AKS cluster in another region), \
            fetches a token, then runs scoring load on both services and clients that keep fetching \
            tokens while the workspace's region is marked unavailable and brought back. Prints scoring \
            requests sent and failed per service, how fast token fetches failed during the outage, the \
            time from the region's return to the first token, and whether the pre-outage token was still \
            accepted. Exits 1 when an invariant fails, 2 when the drill could not run.
            """
    )

    @Option(name: .long, help: "Seconds of load before the outage.") var warmup: Double = 2
    @Option(name: .long, help: "Seconds the region stays unavailable.") var outage: Double = 3
    @Option(name: .long, help: "Seconds of load after the region comes back.") var recovery: Double = 2
    @Option(name: .long, help: "Scoring clients per service.") var scoringClients = 2
    @Option(name: .long, help: "Clients that keep fetching tokens.") var tokenClients = 2
    @Option(name: .long, help: "Milliseconds between one client's token fetches.") var tokenIntervalMs = 20
    @Option(name: .long, help: "The workspace's region (the one that goes down).") var region = "westeurope"
    @Option(name: .long, help: "The cluster's region.") var clusterRegion = "northeurope"
    @Option(name: .long, help: "The modelgate binary to serve with (default: this one).") var serverBinary: String?
    @Option(name: .long, help: "Most milliseconds a failed token fetch may take at p99 during the outage.") var maxRefusalMs = 50
    @Option(name: .long, help: "Most milliseconds from the region's return to the first token.") var maxRecoveryMs = 1_000
    @Flag(name: .long, help: "Keep the server's data directory and log.") var keepData = false

    func validate() throws {
        guard self.warmup > 0, self.outage > 0, self.recovery > 0, self.warmup + self.outage + self.recovery <= 600 else {
            throw ValidationError("--warmup, --outage and --recovery must be positive and at most 600 s together")
        }
        guard (1...64).contains(self.scoringClients), (1...64).contains(self.tokenClients) else {
            throw ValidationError("--scoring-clients and --token-clients must be 1-64")
        }
        guard self.region != self.clusterRegion else {
            throw ValidationError("--cluster-region must differ from --region: the drill shows a healthy cluster region")
        }
    }

    func run() async throws {
        var configuration = ChaosScenario.Configuration()
        configuration.warmup = .milliseconds(Int(self.warmup * 1000))
        configuration.outage = .milliseconds(Int(self.outage * 1000))
        configuration.recovery = .milliseconds(Int(self.recovery * 1000))
        configuration.scoringClients = self.scoringClients
        configuration.tokenClients = self.tokenClients
        configuration.tokenInterval = .milliseconds(max(0, self.tokenIntervalMs))
        configuration.region = self.region
        configuration.clusterRegion = self.clusterRegion
        configuration.maxRefusal = .milliseconds(self.maxRefusalMs)
        configuration.maxRecovery = .milliseconds(self.maxRecoveryMs)
        configuration.otherRegion = ["eastus", "japaneast"].first { $0 != self.region && $0 != self.clusterRegion } ?? "eastus"

        let note: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("chaos: \($0)\n".utf8)) }
        note("starting a server")
        let server: ChaosServer
        do {
            server = try await ChaosServer(binary: self.serverBinary ?? Self.ownExecutable())
        } catch {
            note("could not start the server: \(error)")
            throw ExitCode(2)
        }
        let report: ChaosReport
        do {
            report = try await ChaosScenario(
                configuration: configuration, server: server.address, admin: server.credentials, progress: note
            ).run()
        } catch {
            note("the drill could not run: \(error)\n--- server log ---\n\(server.logTail())")
            await server.stop(keepData: self.keepData)
            throw ExitCode(2)
        }
        await server.stop(keepData: self.keepData)
        if self.keepData { note("data kept in \(server.dataDirectory)") }
        print(report.text)
        if !report.passed { throw ExitCode(1) }
    }

    /// This process's executable, to run `serve` from the same build.
    static func ownExecutable() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}
