extension Duration {
    /// Whole milliseconds, for messages that name a limit.
    var milliseconds: Int64 {
        self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000
    }

    /// Whole microseconds, never negative, for latencies on the wire.
    var microseconds: UInt64 {
        UInt64(max(0, self.components.seconds * 1_000_000 + self.components.attoseconds / 1_000_000_000_000))
    }
}
