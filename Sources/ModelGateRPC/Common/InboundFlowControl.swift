/// The receiving side of connection-level flow control: how much the peer may
/// still send on the connection, and the consumed bytes not yet granted back.
///
/// Per-stream credit is tracked by each side's stream records; this holds the
/// connection's share and the thresholds both sides use to batch grants.
struct InboundFlowControl {
    let streamWindow: Int
    let connectionWindow: Int
    /// What the peer may still send on the connection, as this side counts it.
    private(set) var connectionCredit: Int
    /// Bytes consumed or dropped and not yet granted back with WINDOW_UPDATE.
    private var toReturn = 0
    /// Grant connection credit back once this much is due.
    private let connectionGrantThreshold: Int
    /// Each stream's consumer reports consumption in batches of this size (see
    /// ``InboundMessages``). Chosen so that all streams' unreported bytes plus
    /// the connection's pending grant stay below half the connection window:
    /// a peer can then only run out of connection credit because messages
    /// really sit unread, never because grants are being held back.
    let streamReportThreshold: Int

    init(streamWindow: UInt32, connectionWindow: UInt32, maxConcurrentStreams: Int) {
        self.streamWindow = Int(max(streamWindow, 1))
        self.connectionWindow = Int(max(connectionWindow, 1))
        self.connectionCredit = self.connectionWindow
        self.connectionGrantThreshold = max(self.connectionWindow / 4, 1)
        self.streamReportThreshold = max(
            min(self.streamWindow / 2, self.connectionWindow / (4 * max(maxConcurrentStreams, 1))), 1
        )
    }

    /// Accounts for an inbound MESSAGE of `cost` against the connection.
    ///
    /// - Returns: `false` when the peer had no connection credit left, a flow-control violation.
    mutating func receive(cost: Int) -> Bool {
        guard self.connectionCredit > 0 else { return false }
        self.connectionCredit -= cost
        return true
    }

    /// Returns consumed or dropped bytes to the connection window.
    ///
    /// - Returns: the increment to send in a connection WINDOW_UPDATE now, if any.
    mutating func returnCredit(_ bytes: Int) -> UInt32? {
        guard bytes > 0 else { return nil }
        self.toReturn += bytes
        guard self.toReturn >= self.connectionGrantThreshold else { return nil }
        let increment = UInt32(clamping: self.toReturn)
        self.toReturn -= Int(increment)
        self.connectionCredit += Int(increment)
        return increment
    }
}
