import NIOCore

/// A token bucket that allows `perSecond` events per second, with bursts of up
/// to one second's worth.
///
/// Used for the per-connection budgets: stream cancellations (the HTTP/2 "rapid
/// reset" attack) and control frames (PING and SETTINGS floods). Time comes from
/// the event loop (`EventLoop.now`) so tests can move it with `advanceTime`.
struct RateBudget {
    /// Tokens are counted in nanoseconds-of-allowance so refills stay integral.
    private static let unit: Int64 = 1_000_000_000

    let perSecond: Int
    private var tokens: Int64
    private var last: NIODeadline

    init(perSecond: Int, now: NIODeadline) {
        self.perSecond = max(perSecond, 1)
        self.tokens = Int64(self.perSecond) * Self.unit
        self.last = now
    }

    /// Takes one token.
    ///
    /// - Returns: `false` when the budget is exhausted.
    mutating func spend(now: NIODeadline) -> Bool {
        let capacity = Int64(self.perSecond) * Self.unit
        let elapsed = min(max((now - self.last).nanoseconds, 0), Self.unit)
        self.last = now
        self.tokens = min(capacity, self.tokens + elapsed * Int64(self.perSecond))
        guard self.tokens >= Self.unit else { return false }
        self.tokens -= Self.unit
        return true
    }
}
