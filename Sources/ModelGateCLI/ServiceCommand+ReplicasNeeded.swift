internal import ArgumentParser
internal import ModelGateServer

extension ServiceCommand {
    /// `modelgate service replicas-needed`: Azure's sizing formula, offline.
    struct ReplicasNeeded: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replicas-needed",
            abstract: "How many replicas a target load needs (Azure's autoscaling formula).",
            discussion: """
                replicas = ceil(rps × request-time / target-utilization / max-concurrent). \
                Prints the number, then the formula with the values. Useful for \
                autoscale_min_replicas/autoscale_max_replicas or num_replicas. Needs no server.
                """
        )
        @Option(name: .long, help: "Requests per second the service must serve.") var rps: Double
        @Option(name: .long, help: "Seconds one request takes in run().") var requestTime: Double
        @Option(name: .long, help: "autoscale_target_utilization: a percentage (70) or a fraction (0.7).")
        var targetUtilization: Double = 70
        @Option(name: .long, help: "replica_max_concurrent_requests.") var maxConcurrent: Int = 1

        func validate() throws {
            _ = try self.sizing()
        }

        func run() throws {
            let sizing = try self.sizing()
            print(sizing.replicas)
            print(sizing.explanation)
        }

        private func sizing() throws -> ReplicaSizing {
            do {
                return try ReplicaSizing(
                    targetRequestsPerSecond: self.rps, requestSeconds: self.requestTime, targetUtilization: self.targetUtilization,
                    maxRequestsPerReplica: self.maxConcurrent
                )
            } catch let error as ReplicaSizingError {
                throw ValidationError(error.description)
            }
        }
    }
}
