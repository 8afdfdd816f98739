internal import ArgumentParser
internal import ModelGateAPI
internal import ModelGateClient

/// `modelgate health`: asks the server whether it is serving; needs no credentials.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Ask the server (or one service) whether it is serving."
    )
    @OptionGroup var options: ClientOptions
    @Option(name: [.short, .long], help: "A service name; empty asks about the server.") var name: String = ""

    func run() async throws {
        let health = try await self.options.withClient { try await $0.health(service: self.name) }
        let status = Printer.name(of: health.status)
        Printer(format: self.options.output).printObject([
            "status": status,
            "version": health.serverVersion,
            "uptimeMs": Int(health.uptimeMs),
        ])
        if health.status != .serving {
            throw ExitCode(1)
        }
    }
}
