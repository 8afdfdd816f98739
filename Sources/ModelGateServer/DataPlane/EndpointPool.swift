internal import ModelGateAPI
internal import Synchronization

/// The shared replica pool of one endpoint: one ``ReplicaPool`` per live
/// version and the routing table that picks a version for each request.
///
/// A web service is an endpoint with one version, so every scoring request
/// goes through an `EndpointPool`.
///
/// The table is an immutable value swapped under a short lock: the scoring
/// hot path takes the lock once, draws one number (a SplitMix64 generator
/// kept in the same lock, so no syscall per request) and walks precomputed
/// cumulative weights of at most six versions. The control plane builds a new
/// table for every version change (``publish(_:)``); a request that picked a
/// version's pool just before it was replaced or removed finds that pool
/// stopping, and the scoring service routes it again (see
/// `ScoringService.score(_:on:deadline:)`), so no request fails for it.
///
/// Only versions whose pool is ready are in the table: a version being
/// rolled out takes no traffic until it is, and the share it will take goes
/// to the default version meanwhile.
final class EndpointPool: Sendable {
    /// One version as the router sees it.
    struct Route: Sendable {
        var version: String
        var pool: ReplicaPool
        /// The configured `traffic_percentile`, 0-100.
        var percentile: Double
        var isDefault: Bool
    }

    /// The routing table: versions, and the cumulative upper bounds of their
    /// effective shares over 0..<100.
    struct Table: Sendable {
        var routes: [Route] = []
        /// `cumulative[i]` is the upper bound of version `i`'s slice.
        var cumulative: [Double] = []
        /// Effective share of each route, in percent (the default's includes the remainder).
        var effective: [Double] = []
        var defaultIndex = 0

        /// Builds the table: each version gets its percentile; the default
        /// version also gets what the percentiles leave over. Percentiles of
        /// versions not in `routes` (not ready yet) go to the default too.
        init(routes: [Route]) {
            self.routes = routes
            guard !routes.isEmpty else { return }
            self.defaultIndex = routes.firstIndex(where: \.isDefault) ?? 0
            self.effective = Self.shares(percentiles: routes.map(\.percentile), defaultIndex: self.defaultIndex)
            var total = 0.0
            for share in self.effective {
                total += share
                self.cumulative.append(total)
            }
        }

        /// Each version's share in percent: its percentile, and for the
        /// default also what the others leave over (scaled down should they
        /// ever sum over 100, which the control plane refuses).
        static func shares(percentiles: [Double], defaultIndex: Int) -> [Double] {
            let others = percentiles.enumerated().reduce(0.0) { sum, item in
                item.offset == defaultIndex ? sum : sum + max(0, item.element)
            }
            let scale = others > 100 ? 100 / others : 1
            return percentiles.enumerated().map { index, percentile in
                index == defaultIndex ? max(0, 100 - others * scale) : max(0, percentile) * scale
            }
        }

        init() {}

        /// The route whose slice holds `draw` (0..<100).
        func pick(_ draw: Double) -> Route {
            for (index, bound) in self.cumulative.enumerated() where draw < bound && self.effective[index] > 0 {
                return self.routes[index]
            }
            return self.routes[self.defaultIndex]
        }
    }

    private struct State {
        var table = Table()
        var random: UInt64
        /// Replicas wanted for the whole endpoint (the autoscaler's last
        /// ``resize(to:)``, or the endpoint's initial count).
        var target = 1
    }

    /// `<workspace>/<name>`, for messages.
    let name: String
    private let state: Mutex<State>

    init(name: String, routes: [Route] = []) {
        self.name = name
        self.state = Mutex(State(table: Table(routes: routes), random: UInt64.random(in: .min ... .max)))
    }

    /// A web service's pool: one unnamed version taking all traffic.
    convenience init(name: String, pool: ReplicaPool) {
        self.init(name: name, routes: [Route(version: pool.configuration.version, pool: pool, percentile: 0, isDefault: true)])
    }

    // MARK: Routing

    /// The version to run a request on: `pinned` by name, else drawn by the percentiles.
    ///
    /// - Throws: `NOT_FOUND` for a pinned version the endpoint does not
    ///   serve; `UNAVAILABLE` when no version is ready.
    func route(pinned: String = "") throws(RPCError) -> Route {
        let picked: Route? = self.state.withLock { state in
            guard !state.table.routes.isEmpty else { return nil }
            if !pinned.isEmpty { return state.table.routes.first { $0.version == pinned } }
            if state.table.routes.count == 1 { return state.table.routes[0] }
            return state.table.pick(Self.draw(&state.random))
        }
        guard let picked else {
            if !pinned.isEmpty {
                throw RPCError(code: .notFound, message: "endpoint '\(self.name)' has no version '\(pinned)' serving")
            }
            throw RPCError(code: .unavailable, message: "endpoint '\(self.name)' has no version ready")
        }
        return picked
    }

    /// SplitMix64, scaled to 0..<100.
    private static func draw(_ state: inout UInt64) -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53) * 100
    }

    // MARK: Changing the table

    /// Replaces the routing table. New requests use it at once; requests
    /// already on a pool that left the table finish there (the caller drains it).
    ///
    /// The endpoint's replicas are divided again among the new table's
    /// versions (``resize(to:)`` with the current target).
    ///
    /// - Returns: the pools of the old table that are not in the new one.
    @discardableResult
    func publish(_ routes: [Route]) -> [ReplicaPool] {
        let table = Table(routes: routes)
        let (old, target) = self.state.withLock { state in
            defer { state.table = table }
            return (state.table.routes, state.target)
        }
        self.rebalance(table, total: target)
        return old.map(\.pool).filter { pool in !routes.contains { $0.pool === pool } }
    }

    /// Sets the replicas wanted for the whole endpoint without resizing now
    /// (the next ``publish(_:)`` divides them).
    func setTarget(_ replicas: Int) {
        self.state.withLock { $0.target = max(1, replicas) }
    }

    /// Replicas wanted for the whole endpoint.
    var target: Int { self.state.withLock { $0.target } }

    /// The table now.
    var table: Table { self.state.withLock { $0.table } }

    /// The default version's pool (the one a web service has); nil before any version is ready.
    var primaryPool: ReplicaPool? {
        self.state.withLock { state in state.table.routes.isEmpty ? nil : state.table.routes[state.table.defaultIndex].pool }
    }

    /// Requests the endpoint runs at once now, over every version.
    var capacity: Int { self.table.routes.reduce(0) { $0 + $1.pool.capacity } }

    // MARK: Dividing replicas

    /// Divides `total` replicas among versions in proportion to their
    /// effective traffic share (largest remainder), then gives a version left
    /// with none one replica taken from the largest, so each live version keeps
    /// at least one (the result sums to `max(total, versions)`).
    static func divide(_ total: Int, shares: [Double]) -> [Int] {
        guard !shares.isEmpty else { return [] }
        let total = max(total, shares.count)
        let sum = shares.reduce(0) { $0 + max(0, $1) }
        let weights = sum > 0 ? shares.map { max(0, $0) / sum } : shares.map { _ in 1 / Double(shares.count) }
        let exact = weights.map { $0 * Double(total) }
        var counts = exact.map { Int($0.rounded(.down)) }
        var left = total - counts.reduce(0, +)
        let order = exact.indices.sorted { (exact[$0] - Double(counts[$0]), -$0) > (exact[$1] - Double(counts[$1]), -$1) }
        for index in order where left > 0 {
            counts[index] += 1
            left -= 1
        }
        for index in counts.indices where counts[index] == 0 {
            guard let largest = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[largest] > 1 else { break }
            counts[largest] -= 1
            counts[index] = 1
        }
        return counts
    }
}

extension EndpointPool: AutoscaleTarget {
    /// Summed over the versions in the table.
    var load: AutoscaleLoad {
        self.table.routes.reduce(into: AutoscaleLoad(desiredReplicas: 0, readyReplicas: 0, busyReplicas: 0, queuedRequests: 0)) { sum, route in
            let load = route.pool.load
            sum.desiredReplicas += load.desiredReplicas
            sum.readyReplicas += load.readyReplicas
            sum.busyReplicas += load.busyReplicas
            sum.queuedRequests += load.queuedRequests
        }
    }

    /// Divides `replicas` among the live versions by traffic share (``divide(_:shares:)``).
    func resize(to replicas: Int) {
        let table = self.state.withLock { state in
            state.target = max(1, replicas)
            return state.table
        }
        self.rebalance(table, total: replicas)
    }

    private func rebalance(_ table: Table, total: Int) {
        let counts = Self.divide(total, shares: table.effective)
        for (route, count) in zip(table.routes, counts) where route.pool.load.desiredReplicas != count {
            route.pool.resize(to: count)
        }
    }
}
