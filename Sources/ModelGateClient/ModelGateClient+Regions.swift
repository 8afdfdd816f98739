public import ModelGateAPI

/// The admin calls that simulate region outages and distances (chaos testing).
extension ModelGateClient {
    /// Marks a region available or unavailable. Needs an admin.
    ///
    /// While a workspace's region is unavailable, its control-plane calls and
    /// `GetToken` answer `UNAVAILABLE`; scoring keeps working.
    @discardableResult
    public func setRegionAvailability(_ region: String, available: Bool, reason: String = "") async throws -> Region {
        var request = SetRegionAvailabilityRequest()
        request.region = region
        request.available = available
        request.reason = reason
        return try await self.authorizedUnary(ModelGateMethods.Workspace.setRegionAvailability, request)
    }

    /// Sets the round-trip latency between two regions, both ways. Needs an admin.
    @discardableResult
    public func setRegionLatency(from: String, to: String, milliseconds: UInt32) async throws -> Region {
        var request = SetRegionLatencyRequest()
        request.fromRegion = from
        request.toRegion = to
        request.roundTripMs = milliseconds
        return try await self.authorizedUnary(ModelGateMethods.Workspace.setRegionLatency, request)
    }
}
