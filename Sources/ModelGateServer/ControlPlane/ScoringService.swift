internal import Foundation
internal import ModelGateAPI
public import ModelGateRPC

/// `modelgate.v1.ScoringService`: for now only `Health`, which needs no token
/// so that load balancers and `modelgate status` can probe the server.
///
/// `Score` and `ScoreStream` answer `UNIMPLEMENTED` through ``UnimplementedMethods``.
public struct ScoringService: Sendable {
    private let version: String
    private let startedAt: ContinuousClock.Instant
    private let clock: WallClock

    public init(version: String, startedAt: ContinuousClock.Instant, clock: WallClock) {
        self.version = version
        self.startedAt = startedAt
        self.clock = clock
    }

    /// Adds this service's methods to `router`.
    public func register(in router: inout RPCRouter) {
        router.publicUnary(ModelGateMethods.Scoring.health) { (request: HealthRequest, _) in
            try self.health(request)
        }
    }

    /// The server's status, version, uptime and clock.
    ///
    /// An empty `service_name` or a `modelgate.v1.<Service>` name is the
    /// server itself; `<workspace>/<service>` names a deployed service, and
    /// none exist yet, so those are `NOT_FOUND`, as gRPC health checking
    /// answers an unknown service.
    func health(_ request: HealthRequest) throws -> HealthResponse {
        let name = request.serviceName
        if !name.isEmpty, !ModelGateSchema.services.contains(where: { $0.name == name }) {
            throw RPCError(code: .notFound, message: "no service named '\(name)'")
        }
        let now = self.clock.now().millisecondsSince1970
        let uptime = ContinuousClock.now - self.startedAt
        var response = HealthResponse()
        response.status = .serving
        response.serverVersion = self.version
        response.uptimeMs = UInt64(max(0, uptime.components.seconds)) * 1000
            + UInt64(max(0, uptime.components.attoseconds) / 1_000_000_000_000_000)
        response.serverTimeUnixMs = now
        response.clockSkewMs = request.clientTimeUnixMs == 0 ? 0 : now &- request.clientTimeUnixMs
        return response
    }
}
