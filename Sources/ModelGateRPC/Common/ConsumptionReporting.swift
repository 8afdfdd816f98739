/// Something that turns consumed inbound bytes back into flow-control credit
/// for the peer (``ConnectionWriter`` does, through its event loop).
protocol ConsumptionReporting: AnyObject, Sendable {
    func consumed(streamID: UInt32, bytes: Int)
}
