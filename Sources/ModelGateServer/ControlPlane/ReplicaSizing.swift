internal import Foundation

/// Azure's sizing rule for autoscaled services (the seed's formula): the
/// replicas needed to serve `target_rps` requests per second that each take
/// `request_time` seconds, with every replica at most `target_utilization` busy
/// and running `max_requests_per_replica` requests at once:
///
///     replicas = ceil(target_rps × request_time / target_utilization / max_requests_per_replica)
///
/// For example 100 requests/s of 0.1 s at 70 % with 1 request per replica
/// needs ceil(14.29) = 15 replicas.
public struct ReplicaSizing: Sendable, Equatable {
    public var targetRequestsPerSecond: Double
    public var requestSeconds: Double
    /// As a fraction: 0.7 for 70 %.
    public var targetUtilization: Double
    public var maxRequestsPerReplica: Int

    /// - Parameter targetUtilization: a fraction (0.7) or, above 1, a percentage (70), as
    ///   `autoscale_target_utilization` is written.
    /// - Throws: ``ReplicaSizingError`` naming the bad value.
    public init(targetRequestsPerSecond: Double, requestSeconds: Double, targetUtilization: Double, maxRequestsPerReplica: Int) throws {
        guard targetRequestsPerSecond.isFinite, targetRequestsPerSecond >= 0 else {
            throw ReplicaSizingError("the target requests per second must be 0 or more (got \(targetRequestsPerSecond))")
        }
        guard requestSeconds.isFinite, requestSeconds > 0 else {
            throw ReplicaSizingError("the request time must be more than 0 seconds (got \(requestSeconds))")
        }
        guard targetUtilization.isFinite, targetUtilization > 0, targetUtilization <= 100 else {
            throw ReplicaSizingError("the target utilisation is a fraction (0.7) or a percentage (70), above 0 and at most 100 (got \(targetUtilization))")
        }
        guard maxRequestsPerReplica >= 1 else {
            throw ReplicaSizingError("max concurrent requests per replica must be at least 1 (got \(maxRequestsPerReplica))")
        }
        self.targetRequestsPerSecond = targetRequestsPerSecond
        self.requestSeconds = requestSeconds
        self.targetUtilization = targetUtilization > 1 ? targetUtilization / 100 : targetUtilization
        self.maxRequestsPerReplica = maxRequestsPerReplica
    }

    /// The replicas needed (at least 1: a service with no traffic still runs one unless it scales to zero).
    public var replicas: Int {
        let exact = self.exactReplicas
        // A hair of tolerance so 0.7 × 10 / 0.7 is 10, not 11.
        return max(1, Int((exact - 1e-9).rounded(.up)))
    }

    /// The formula's value before rounding up.
    public var exactReplicas: Double {
        self.targetRequestsPerSecond * self.requestSeconds / self.targetUtilization / Double(self.maxRequestsPerReplica)
    }

    /// The formula with these values, for people.
    public var explanation: String {
        "ceil(\(Self.format(self.targetRequestsPerSecond)) rps × \(Self.format(self.requestSeconds)) s / "
            + "\(Self.format(self.targetUtilization)) / \(self.maxRequestsPerReplica)) = ceil(\(Self.format(self.exactReplicas))) = \(self.replicas)"
    }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// A value ``ReplicaSizing`` cannot compute with.
public struct ReplicaSizingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
