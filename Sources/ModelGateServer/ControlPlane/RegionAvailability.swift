public import Foundation
public import ModelGateAPI
internal import Synchronization

/// Which regions are down, and which region each workspace lives in, kept in
/// memory so that a call for a workspace in a downed region is refused without
/// touching the database.
///
/// The database stays the record (``RegionStore``, ``WorkspaceStore``); this
/// cache is loaded from it at start-up and updated by the calls that change
/// it (`SetRegionAvailability`, `CreateWorkspace`, `DeleteWorkspace`) right
/// after their write commits, so a region that comes back is seen by the very
/// next call. Readers take a lock for a dictionary lookup, never an `await`.
///
/// Two users:
/// - the control plane: ``Authenticator`` attaches a ``Snapshot`` to every
///   ``AuthenticatedCaller`` and ``AccessPolicy/require(_:on:_:to:)`` refuses
///   workspace calls with `UNAVAILABLE` while the workspace's region is down;
/// - the token service: `GetToken` runs in the workspace's region, so it asks
///   ``requireAvailable(region:for:)`` (or the caller's snapshot) first.
///
/// Scoring never consults it: the data plane keeps serving in an outage.
public final class RegionAvailability: Sendable {
    /// A region marked unavailable, as the operator said.
    public struct Outage: Sendable, Hashable {
        public var region: String
        /// The operator's reason; may be empty.
        public var reason: String
        /// When the region went down, if known.
        public var since: Date?

        public init(region: String, reason: String = "", since: Date? = nil) {
            self.region = region
            self.reason = reason
            self.since = since
        }
    }

    /// The cache's contents at one moment: a value, so a call sees one
    /// consistent view from authentication to its access check.
    public struct Snapshot: Sendable, Hashable {
        /// Workspace name (lower-cased: names are case-insensitive) → region name.
        var workspaceRegions: [String: String]
        /// Region name → its outage, for the regions that are down.
        var outages: [String: Outage]

        /// Every region up and no workspace known: nothing is ever refused.
        public static let allAvailable = Snapshot(workspaceRegions: [:], outages: [:])

        /// The region `workspace` lives in, if it is known.
        public func region(ofWorkspace workspace: String) -> String? {
            self.workspaceRegions[workspace.lowercased()]
        }

        /// The outage of `region`, or `nil` while it is available.
        public func outage(of region: String) -> Outage? {
            self.outages[region]
        }

        /// - Throws: `UNAVAILABLE` naming the region and a retry hint when
        ///   `workspace`'s region is down. An unknown workspace passes: the
        ///   call itself answers `NOT_FOUND`.
        public func requireAvailable(workspace: String) throws(RPCError) {
            guard let region = self.region(ofWorkspace: workspace), let outage = self.outages[region] else { return }
            throw RegionAvailability.unavailableError(outage, what: "workspace '\(workspace)'")
        }

        /// - Throws: `UNAVAILABLE` naming the region and a retry hint when `region` is down.
        public func requireAvailable(region: String, for what: String) throws(RPCError) {
            guard let outage = self.outages[region] else { return }
            throw RegionAvailability.unavailableError(outage, what: what)
        }
    }

    /// How long a refused caller is told to wait before trying again, in
    /// milliseconds: recovery is seen at once, so polling each second is enough.
    public static let retryAfterMilliseconds = 1_000

    private let state: Mutex<Snapshot>

    /// A cache over `regions` and `workspaces` as they are now.
    public init(regions: [RegionRecord] = [], workspaces: [WorkspaceRecord] = []) {
        var snapshot = Snapshot.allAvailable
        for region in regions where !region.isAvailable {
            snapshot.outages[region.name] = Outage(
                region: region.name, reason: region.unavailableReason, since: region.availabilityChangedAt
            )
        }
        for workspace in workspaces {
            snapshot.workspaceRegions[workspace.name.lowercased()] = workspace.region
        }
        self.state = Mutex(snapshot)
    }

    /// Loads the cache from the database, at start-up.
    public static func load(regions: RegionStore, workspaces: WorkspaceStore) async throws -> RegionAvailability {
        RegionAvailability(regions: try await regions.list(), workspaces: try await workspaces.list())
    }

    /// The cache as it is now.
    public func snapshot() -> Snapshot {
        self.state.withLock { $0 }
    }

    /// Whether `region` is up (unknown regions count as up).
    public func isAvailable(region: String) -> Bool {
        self.state.withLock { $0.outages[region] == nil }
    }

    /// - Throws: `UNAVAILABLE` naming `region` and a retry hint while it is down;
    ///   `what` names the thing that cannot be reached, such as
    ///   "the token service of workspace 'prod'".
    public func requireAvailable(region: String, for what: String) throws(RPCError) {
        try self.snapshot().requireAvailable(region: region, for: what)
    }

    /// - Throws: `UNAVAILABLE` while `workspace`'s region is down.
    public func requireAvailable(workspace: String) throws(RPCError) {
        try self.snapshot().requireAvailable(workspace: workspace)
    }

    /// Records a region's availability as just stored.
    public func update(_ region: RegionRecord) {
        self.state.withLock { state in
            if region.isAvailable {
                state.outages[region.name] = nil
            } else {
                state.outages[region.name] = Outage(
                    region: region.name, reason: region.unavailableReason, since: region.availabilityChangedAt
                )
            }
        }
    }

    /// Records a new workspace's region.
    public func workspaceCreated(_ name: String, region: String) {
        self.state.withLock { $0.workspaceRegions[name.lowercased()] = region }
    }

    /// Forgets a deleted workspace.
    public func workspaceDeleted(_ name: String) {
        self.state.withLock { $0.workspaceRegions[name.lowercased()] = nil }
    }

    /// The refusal for a call that needs a downed region.
    ///
    /// Details carry `region` and `retry_after_ms` for clients that retry by themselves.
    static func unavailableError(_ outage: Outage, what: String) -> RPCError {
        let reason = outage.reason.isEmpty ? "" : " (\(outage.reason))"
        return RPCError(
            code: .unavailable,
            message: "region '\(outage.region)' is unavailable\(reason): \(what) cannot be reached there; "
                + "retry in \(Self.retryAfterMilliseconds / 1000) s, it answers again as soon as the region is back",
            details: ["region": outage.region, "retry_after_ms": "\(Self.retryAfterMilliseconds)"]
        )
    }
}
