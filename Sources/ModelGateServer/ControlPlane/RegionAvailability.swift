internal import Foundation
internal import ModelGateAPI
internal import Synchronization

/// Which regions are up, held in memory so a check costs a lock and a
/// dictionary lookup, never a database read.
///
/// The database (``RegionStore``) stays the source of truth; this cache is
/// filled from it at start (``load(from:)``) and updated by whoever changes a
/// region's availability (`SetRegionAvailability`) right after the change is
/// committed, so an outage and a recovery are seen by the next call. Region
/// names are matched case-insensitively, as the database does.
///
/// Shared by everything that must fail fast when a region is down: `GetToken`
/// (the workspace's token service lives in its region) and the control-plane
/// calls of a workspace in that region.
final class RegionAvailability: Sendable {
    /// A region that is down, as `SetRegionAvailability` said.
    struct Outage: Sendable, Hashable {
        /// The region's name as stored.
        var region: String
        /// Why it is down; may be empty.
        var reason: String
        /// When it went down, if known.
        var since: Date?
    }

    /// Regions that are down, by lower-cased name. A region not listed is up
    /// (including names this cache has never heard of: the database decides
    /// whether a region exists, not this cache).
    private let outages: Mutex<[String: Outage]>

    /// An empty cache: every region up.
    init() {
        self.outages = Mutex([:])
    }

    /// A cache reflecting `regions`.
    init(regions: [RegionRecord]) {
        self.outages = Mutex([:])
        for region in regions { self.update(region) }
    }

    /// A cache filled from the database's current availability.
    static func load(from store: RegionStore) async throws -> RegionAvailability {
        RegionAvailability(regions: try await store.list())
    }

    /// Records `region`'s availability as just committed.
    func update(_ region: RegionRecord) {
        let key = region.name.lowercased()
        self.outages.withLock { outages in
            if region.isAvailable {
                outages.removeValue(forKey: key)
            } else {
                outages[key] = Outage(region: region.name, reason: region.unavailableReason, since: region.availabilityChangedAt)
            }
        }
    }

    /// Whether `region` is up now.
    func isAvailable(_ region: String) -> Bool {
        self.outage(of: region) == nil
    }

    /// How long a caller refused for an outage is told to wait before retrying:
    /// recovery is seen by the next call, so a second is enough to not spin.
    static let retryAfterMilliseconds = 1_000

    /// Throws when `region` is down, else returns at once.
    ///
    /// - Parameter service: What lives in the region, for the message
    ///   ("token service", "workspace 'prod'").
    /// - Throws: `UNAVAILABLE` naming the region and the reason, with details
    ///   `region` and `retry_after_ms`.
    func requireAvailable(_ region: String, for service: String) throws(RPCError) {
        guard let outage = self.outage(of: region) else { return }
        let reason = outage.reason.isEmpty ? "" : " (\(outage.reason))"
        throw RPCError(
            code: .unavailable,
            message: "\(service) in region '\(outage.region)' is unavailable\(reason); retry in \(Self.retryAfterMilliseconds) ms",
            details: ["region": outage.region, "retry_after_ms": "\(Self.retryAfterMilliseconds)"]
        )
    }

    /// The outage of `region`, or nil when it is up.
    func outage(of region: String) -> Outage? {
        let key = region.lowercased()
        return self.outages.withLock { $0[key] }
    }
}
