extension Duration {
    /// Whole milliseconds, for messages that name a limit.
    var milliseconds: Int64 {
        self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000
    }
}
