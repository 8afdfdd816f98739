/// The regions a fresh server knows, with round-trip latencies between them.
///
/// The latencies are rounded medians of Azure's published inter-region
/// round-trip times, so a chaos test that places a cluster far from its
/// workspace sees a realistic cost. Operators change them at run time with
/// `SetRegionLatency`; this table only seeds migration 2.
enum RegionCatalog {
    /// Region name, display name, and standard-time offset from UTC in minutes.
    static let regions: [(name: String, displayName: String, utcOffsetMinutes: Int)] = [
        ("westeurope", "West Europe", 60),
        ("northeurope", "North Europe", 0),
        ("uksouth", "UK South", 0),
        ("eastus", "East US", -300),
        ("centralus", "Central US", -360),
        ("westus2", "West US 2", -480),
        ("centralindia", "Central India", 330),
        ("southeastasia", "Southeast Asia", 480),
        ("japaneast", "Japan East", 540),
        ("australiaeast", "Australia East", 600),
    ]

    /// Round-trip milliseconds for every pair of distinct regions.
    static let roundTripMilliseconds: [(String, String, Int)] = [
        ("westeurope", "northeurope", 18), ("westeurope", "uksouth", 9), ("westeurope", "eastus", 80),
        ("westeurope", "centralus", 100), ("westeurope", "westus2", 140), ("westeurope", "centralindia", 125),
        ("westeurope", "southeastasia", 155), ("westeurope", "japaneast", 225), ("westeurope", "australiaeast", 240),
        ("northeurope", "uksouth", 12), ("northeurope", "eastus", 70), ("northeurope", "centralus", 90),
        ("northeurope", "westus2", 130), ("northeurope", "centralindia", 135), ("northeurope", "southeastasia", 165),
        ("northeurope", "japaneast", 235), ("northeurope", "australiaeast", 250),
        ("uksouth", "eastus", 75), ("uksouth", "centralus", 95), ("uksouth", "westus2", 135),
        ("uksouth", "centralindia", 120), ("uksouth", "southeastasia", 160), ("uksouth", "japaneast", 230),
        ("uksouth", "australiaeast", 245),
        ("eastus", "centralus", 30), ("eastus", "westus2", 65), ("eastus", "centralindia", 195),
        ("eastus", "southeastasia", 215), ("eastus", "japaneast", 150), ("eastus", "australiaeast", 200),
        ("centralus", "westus2", 40), ("centralus", "centralindia", 225), ("centralus", "southeastasia", 190),
        ("centralus", "japaneast", 130), ("centralus", "australiaeast", 175),
        ("westus2", "centralindia", 215), ("westus2", "southeastasia", 165), ("westus2", "japaneast", 100),
        ("westus2", "australiaeast", 160),
        ("centralindia", "southeastasia", 55), ("centralindia", "japaneast", 120), ("centralindia", "australiaeast", 145),
        ("southeastasia", "japaneast", 70), ("southeastasia", "australiaeast", 90),
        ("japaneast", "australiaeast", 105),
    ]

    /// Inserts the catalog; existing rows are kept (`INSERT OR IGNORE`).
    static func seed(into connection: Connection) throws {
        for region in self.regions {
            try connection.run(
                "INSERT OR IGNORE INTO regions (name, display_name, utc_offset_minutes, available) VALUES (?, ?, ?, 1)",
                [.text(region.name), .text(region.displayName), .int(region.utcOffsetMinutes)]
            )
        }
        for (first, second, milliseconds) in self.roundTripMilliseconds {
            let (a, b) = first < second ? (first, second) : (second, first)
            try connection.run(
                "INSERT OR IGNORE INTO region_latencies (region_a, region_b, round_trip_ms) VALUES (?, ?, ?)",
                [.text(a), .text(b), .int(milliseconds)]
            )
        }
    }
}
