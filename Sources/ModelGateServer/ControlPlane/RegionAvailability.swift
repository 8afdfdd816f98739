public import Foundation
public import ModelGateAPI
internal import Synchronization

/// Which regions are down, and which region each workspace lives in, held in
/// memory so a check costs a lock and a dictionary lookup, never a database read.
///
/// The database (``RegionStore``, ``WorkspaceStore``) stays the source of
/// truth; this cache is filled from it at start (``load(regions:workspaces:)``)
/// and updated by whoever changes it (`SetRegionAvailability`,
/// `CreateWorkspace`, `DeleteWorkspace`) right after the change is committed,
/// so an outage and a recovery are seen by the next call: no restart, no poll.
/// Region and workspace names are matched case-insensitively, as the database does.
///
/// Shared by everything that must fail fast when a region is down:
/// - `GetToken` (``TokenService``): the workspace's token service lives in its
///   region, so it calls ``requireAvailable(_:for:)``;
/// - every workspace call of the control plane: ``Authenticator`` attaches a
///   ``Snapshot`` to each ``AuthenticatedCaller``, and
///   ``AccessPolicy/require(_:on:_:to:)`` refuses with `UNAVAILABLE` while the
///   workspace's region is down.
///
/// Scoring never consults it: the data plane keeps serving through an outage.
public final class RegionAvailability: Sendable {
    /// A region that is down, as `SetRegionAvailability` said.
    public struct Outage: Sendable, Hashable {
        /// The region's name as stored.
        public var region: String
        /// Why it is down; may be empty.
        public var reason: String
        /// When it went down, if known.
        public var since: Date?

        public init(region: String, reason: String = "", since: Date? = nil) {
            self.region = region
            self.reason = reason
            self.since = since
        }
    }

    /// The cache's contents at one moment: a value, so that a call sees one
    /// consistent view from authentication to its access check.
    public struct Snapshot: Sendable, Hashable {
        /// Lower-cased workspace name → its region's name.
        var workspaceRegions: [String: String]
        /// Lower-cased region name → its outage, for the regions that are down.
        /// A region not listed is up (including names never heard of: the
        /// database decides whether a region exists, not this cache).
        var outages: [String: Outage]

        /// Every region up and no workspace known: nothing is ever refused.
        public static let allAvailable = Snapshot(workspaceRegions: [:], outages: [:])

        /// The region `workspace` lives in, if known.
        public func region(ofWorkspace workspace: String) -> String? {
            self.workspaceRegions[workspace.lowercased()]
        }

        /// The outage of `region`, or nil while it is up.
        public func outage(of region: String) -> Outage? {
            self.outages[region.lowercased()]
        }

        /// - Throws: `UNAVAILABLE` naming the region (details `region`,
        ///   `retry_after_ms`) while `workspace`'s region is down. An unknown
        ///   workspace passes: the call itself answers `NOT_FOUND`.
        public func requireAvailable(workspace: String) throws(RPCError) {
            guard let region = self.region(ofWorkspace: workspace) else { return }
            try self.requireAvailable(region, for: "workspace '\(workspace)'")
        }

        /// - Throws: `UNAVAILABLE` naming the region while it is down.
        public func requireAvailable(_ region: String, for service: String) throws(RPCError) {
            guard let outage = self.outage(of: region) else { return }
            throw RegionAvailability.unavailable(outage, service: service)
        }
    }

    /// How long a caller refused for an outage is told to wait before retrying:
    /// recovery is seen by the next call, so a second is enough to not spin.
    public static let retryAfterMilliseconds = 1_000

    private let state: Mutex<Snapshot>

    /// An empty cache: every region up, no workspace known.
    public convenience init() {
        self.init(regions: [], workspaces: [])
    }

    /// A cache reflecting `regions` and `workspaces`.
    public init(regions: [RegionRecord], workspaces: [WorkspaceRecord] = []) {
        self.state = Mutex(.allAvailable)
        for region in regions { self.update(region) }
        for workspace in workspaces { self.workspaceCreated(workspace.name, region: workspace.region) }
    }

    /// A cache filled from the database's current regions and workspaces.
    public static func load(regions: RegionStore, workspaces: WorkspaceStore) async throws -> RegionAvailability {
        RegionAvailability(regions: try await regions.list(), workspaces: try await workspaces.list())
    }

    /// A cache filled from the database's current availability (no workspaces).
    static func load(from store: RegionStore) async throws -> RegionAvailability {
        RegionAvailability(regions: try await store.list())
    }

    /// The cache as it is now.
    public func snapshot() -> Snapshot {
        self.state.withLock { $0 }
    }

    /// Records `region`'s availability as just committed.
    public func update(_ region: RegionRecord) {
        let key = region.name.lowercased()
        self.state.withLock { state in
            if region.isAvailable {
                state.outages.removeValue(forKey: key)
            } else {
                state.outages[key] = Outage(region: region.name, reason: region.unavailableReason, since: region.availabilityChangedAt)
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

    /// Whether `region` is up now.
    public func isAvailable(_ region: String) -> Bool {
        self.outage(of: region) == nil
    }

    /// The outage of `region`, or nil when it is up.
    public func outage(of region: String) -> Outage? {
        let key = region.lowercased()
        return self.state.withLock { $0.outages[key] }
    }

    /// Throws when `region` is down, else returns at once.
    ///
    /// - Parameter service: What lives in the region, for the message
    ///   ("the token service of workspace 'prod'", "a new workspace").
    /// - Throws: `UNAVAILABLE` naming the region and the reason, with details
    ///   `region` and `retry_after_ms`.
    public func requireAvailable(_ region: String, for service: String) throws(RPCError) {
        guard let outage = self.outage(of: region) else { return }
        throw Self.unavailable(outage, service: service)
    }

    /// Throws while `workspace`'s region is down.
    public func requireAvailable(workspace: String) throws(RPCError) {
        try self.snapshot().requireAvailable(workspace: workspace)
    }

    /// The refusal for a call that needs a downed region.
    static func unavailable(_ outage: Outage, service: String) -> RPCError {
        let reason = outage.reason.isEmpty ? "" : " (\(outage.reason))"
        return RPCError(
            code: .unavailable,
            message: "\(service) in region '\(outage.region)' is unavailable\(reason); retry in \(Self.retryAfterMilliseconds) ms",
            details: ["region": outage.region, "retry_after_ms": "\(Self.retryAfterMilliseconds)"]
        )
    }
}
