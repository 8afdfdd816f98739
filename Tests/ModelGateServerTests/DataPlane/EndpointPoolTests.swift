import ModelGateAPI
@testable import ModelGateServer
import Testing

/// The arithmetic of an endpoint's shared pool: traffic shares (the default
/// takes the remainder) and replicas divided by share, each version keeping one.
@Suite("EndpointPool")
struct EndpointPoolTests {
    @Test("The default version gets its percentile and what the others leave over", arguments: [
        ([20.0], 0, [100.0]),
        ([20, 10], 0, [90, 10]),
        ([0, 10, 30], 0, [60, 10, 30]),
        ([20, 40], 1, [20, 80]),
        ([0, 0], 1, [0, 100]),
        ([50, 50, 0], 2, [50, 50, 0]),
    ])
    func shares(percentiles: [Double], defaultIndex: Int, expected: [Double]) {
        #expect(EndpointPool.Table.shares(percentiles: percentiles, defaultIndex: defaultIndex) == expected)
    }

    @Test("Percentiles over 100 (refused by the control plane) are scaled down, never negative")
    func sharesOver100() {
        let shares = EndpointPool.Table.shares(percentiles: [0, 80, 80], defaultIndex: 0)
        #expect(shares == [0, 50, 50])
    }

    @Test("Replicas are divided by share, largest remainder first, each version keeping at least one", arguments: [
        (10, [80.0, 20.0], [8, 2]),
        (10, [60, 10, 30], [6, 1, 3]),
        (3, [100, 0, 0], [1, 1, 1]),
        (1, [90, 10], [1, 1]),
        (5, [50, 50], [3, 2]),
        (7, [0, 0], [4, 3]),
        (4, [97, 1, 1, 1], [1, 1, 1, 1]),
        (10, [97, 1, 1, 1], [7, 1, 1, 1]),
    ])
    func divide(total: Int, shares: [Double], expected: [Int]) {
        let counts = EndpointPool.divide(total, shares: shares)
        #expect(counts == expected)
        #expect(counts.reduce(0, +) == max(total, shares.count))
        #expect(counts.allSatisfy { $0 >= 1 })
    }

    @Test("An endpoint with no version ready answers UNAVAILABLE, a pinned unknown version NOT_FOUND")
    func emptyTable() {
        let pool = EndpointPool(name: "ws/ep")
        #expect(throws: RPCError.self) { try pool.route() }
        do {
            _ = try pool.route()
        } catch {
            #expect(error.code == .unavailable)
        }
        do {
            _ = try pool.route(pinned: "v9")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message.contains("v9"))
        }
        #expect(pool.load == AutoscaleLoad(desiredReplicas: 0, readyReplicas: 0, busyReplicas: 0, queuedRequests: 0))
        #expect(pool.primaryPool == nil)
    }
}
