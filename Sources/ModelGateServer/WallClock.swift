public import Foundation

/// Wall-clock time, injected so tests can move it.
///
/// Expiry times are stored in the database and must mean the same after a
/// restart, so they use the wall clock, not `ContinuousClock` (whose instants
/// are relative to boot and cannot be persisted).
public struct WallClock: Sendable {
    /// The current time.
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// The system's clock.
    public static let system = WallClock(now: { Date() })
}

extension Date {
    /// Milliseconds since 1970, as the database stores times.
    var millisecondsSince1970: Int64 {
        Int64((self.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// A time read from the database's milliseconds since 1970.
    init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
