public import Foundation

/// A region as stored: whether it is up, and how far it is from the others.
public struct RegionRecord: Sendable, Hashable {
    public var name: String
    public var displayName: String
    /// Standard-time offset from UTC, for showing local times.
    public var utcOffsetMinutes: Int
    /// False while an operator (or a chaos test) has marked it down.
    public var isAvailable: Bool
    /// Why it is down, as the operator said; empty while available.
    public var unavailableReason: String
    /// When availability last changed; `nil` if never.
    public var availabilityChangedAt: Date?
    /// Round-trip milliseconds to every other region with a known latency, by region name.
    public var roundTripMilliseconds: [String: Int]

    public init(
        name: String, displayName: String, utcOffsetMinutes: Int = 0, isAvailable: Bool = true,
        unavailableReason: String = "", availabilityChangedAt: Date? = nil, roundTripMilliseconds: [String: Int] = [:]
    ) {
        self.name = name
        self.displayName = displayName
        self.utcOffsetMinutes = utcOffsetMinutes
        self.isAvailable = isAvailable
        self.unavailableReason = unavailableReason
        self.availabilityChangedAt = availabilityChangedAt
        self.roundTripMilliseconds = roundTripMilliseconds
    }
}
