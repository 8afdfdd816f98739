internal import ArgumentParser
internal import Foundation
internal import ModelGateAPI
internal import ModelGateClient

/// Follows a deployment the way Azure's `wait_for_deployment(show_output=True)`
/// does: each progress message as it arrives, with its time (and, when asked,
/// the new replicas' own output, `[r1-1] ...`), then the final state; and
/// decides how the command ends.
struct DeploymentFollower {
    let client: ModelGateClient
    let workspace: String
    let name: String
    let log: ProgressLog
    /// Also print the replicas' own output lines as they are written.
    var showOutput = false

    /// Prints the progress until the final event and returns the service as it then is.
    func follow() async throws -> WebService {
        var final: DeploymentProgress?
        for try await event in self.client.waitForDeployment(workspace: self.workspace, name: self.name, showOutput: self.showOutput) {
            if !event.message.isEmpty {
                self.log.note(Self.line(for: event))
            }
            if event.final {
                final = event
                break
            }
        }
        var service = try await self.client.service(workspace: self.workspace, name: self.name)
        if let final, final.state != .unspecified {
            // The final event's state is the deployment's outcome, even if the service moved on since.
            service.state = final.state
            if service.error.isEmpty && ServiceView.isFailure(final.state) {
                service.error = final.message
            }
        }
        let type = ServiceView.computeType(service.deploymentConfig?.computeType ?? .unspecified)
        self.log.note("\(ServiceView.state(service.state))")
        self.log.note("\(type.isEmpty ? "" : type + " ")service deployment of '\(self.name)' finished: \(ServiceView.state(service.state))")
        return service
    }

    /// Ends a deploy or update the server accepted: with `--no-wait`, prints
    /// it as accepted; else follows it and ends as ``finish(_:printer:log:)`` does.
    func report(_ accepted: WebService, noWait: Bool, printer: Printer) async throws {
        if noWait {
            ServiceView(accepted).print(printer)
            return
        }
        try Self.finish(try await self.follow(), printer: printer, log: self.log)
    }

    /// Prints the service, then ends the command with status 1 (the error on
    /// stderr) when the deployment failed.
    static func finish(_ service: WebService, printer: Printer, log: ProgressLog) throws {
        ServiceView(service).print(printer)
        guard ServiceView.isFailure(service.state) else { return }
        let reason = service.error.isEmpty ? "see `modelgate service get-logs -n \(service.name)`" : service.error
        log.error("service '\(service.name)' is \(ServiceView.state(service.state)): \(reason)")
        throw ExitCode(1)
    }

    /// `2024-06-01 12:00:00+00:00 message`, as Azure prints its operation log.
    static func line(for event: DeploymentProgress) -> String {
        guard event.timestampUnixMs > 0 else { return event.message }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ssxxx"
        let date = Date(timeIntervalSince1970: Double(event.timestampUnixMs) / 1000)
        return formatter.string(from: date) + " " + event.message
    }
}
