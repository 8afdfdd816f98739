internal import ModelGateAPI
public import Foundation

/// Regions, their availability, and the round-trip latency between each pair.
///
/// A latency is stored once per unordered pair (`region_a < region_b`), so
/// setting westeurope→eastus also sets eastus→westeurope.
public struct RegionStore: Sendable {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Every region with its latencies, by name.
    public func list() async throws -> [RegionRecord] {
        try await self.database.read { db in try Self.regions(db, named: nil) }
    }

    /// One region with its latencies, if it exists.
    public func region(named name: String) async throws -> RegionRecord? {
        try await self.database.read { db in try Self.regions(db, named: name).first }
    }

    /// The names of every region, sorted, for error messages.
    public func names() async throws -> [String] {
        try await self.database.read { db in
            try db.query("SELECT name FROM regions ORDER BY name") { $0.text(0) }
        }
    }

    /// Marks a region up or down, with the operator's reason (cleared when it comes back).
    ///
    /// - Returns: The region after the change.
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown region.
    @discardableResult
    public func setAvailability(of name: String, to isAvailable: Bool, reason: String = "", at time: Date) async throws -> RegionRecord {
        try await self.database.write { db in
            let changed = try db.run(
                """
                UPDATE regions SET
                    availability_changed_at_ms = CASE WHEN available = ?1 THEN availability_changed_at_ms ELSE ?4 END,
                    available = ?1, unavailable_reason = ?2
                WHERE name = ?3
                """,
                [.bool(isAvailable), .text(isAvailable ? "" : reason), .text(name), .integer(time.millisecondsSince1970)]
            )
            guard changed == 1 else {
                throw StoreError.notFound(kind: "region", name: name)
            }
            return try Self.regions(db, named: name)[0]
        }
    }

    /// Sets the round-trip latency between two distinct regions, in both directions.
    ///
    /// - Throws: ``StoreError/notFound(kind:name:)`` for an unknown region,
    ///   `INVALID_ARGUMENT` when both names are the same.
    public func setLatency(between first: String, and second: String, milliseconds: Int) async throws {
        guard first != second else {
            throw RPCError(code: .invalidArgument, message: "a region has no latency to itself ('\(first)')")
        }
        let (a, b) = first < second ? (first, second) : (second, first)
        try await self.database.write { db in
            for name in [a, b] where try db.queryFirst("SELECT 1 FROM regions WHERE name = ?", [.text(name)], { _ in true }) == nil {
                throw StoreError.notFound(kind: "region", name: name)
            }
            try db.run(
                """
                INSERT INTO region_latencies (region_a, region_b, round_trip_ms) VALUES (?, ?, ?)
                ON CONFLICT (region_a, region_b) DO UPDATE SET round_trip_ms = excluded.round_trip_ms
                """,
                [.text(a), .text(b), .int(milliseconds)]
            )
        }
    }

    /// The round-trip latency between two regions: 0 within one region, `nil` when unknown.
    public func latency(between first: String, and second: String) async throws -> Int? {
        if first == second { return 0 }
        let (a, b) = first < second ? (first, second) : (second, first)
        return try await self.database.read { db in
            try db.queryFirst(
                "SELECT round_trip_ms FROM region_latencies WHERE region_a = ? AND region_b = ?",
                [.text(a), .text(b)]
            ) { $0.int(0) }
        }
    }

    private static func regions(_ db: Connection, named name: String?) throws -> [RegionRecord] {
        try db.transaction(.deferred) {
            var regions = try db.query(
                """
                SELECT name, display_name, utc_offset_minutes, available, unavailable_reason, availability_changed_at_ms
                FROM regions WHERE ?1 IS NULL OR name = ?1 ORDER BY name
                """,
                [.optionalText(name)]
            ) { row in
                RegionRecord(
                    name: row.text(0), displayName: row.text(1), utcOffsetMinutes: row.int(2), isAvailable: row.bool(3),
                    unavailableReason: row.text(4),
                    availabilityChangedAt: row.int64(5) == 0 ? nil : Date(millisecondsSince1970: row.int64(5))
                )
            }
            let latencies = try db.query(
                "SELECT region_a, region_b, round_trip_ms FROM region_latencies WHERE ?1 IS NULL OR region_a = ?1 OR region_b = ?1",
                [.optionalText(name)]
            ) { row in (row.text(0), row.text(1), row.int(2)) }
            for index in regions.indices {
                for (a, b, milliseconds) in latencies {
                    if a == regions[index].name { regions[index].roundTripMilliseconds[b] = milliseconds }
                    if b == regions[index].name { regions[index].roundTripMilliseconds[a] = milliseconds }
                }
            }
            return regions
        }
    }
}
