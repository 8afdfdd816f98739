/// The encoded bytes of fields a message did not recognise, kept in arrival order.
///
/// proto3 keeps unknown fields so that a message decoded and re-encoded by an
/// older reader loses nothing a newer writer put there. They are written after
/// the known fields, as the official libraries do.
public struct UnknownFields: Hashable, Sendable {
    public var bytes: [UInt8] = []
    public init() {}
    public var isEmpty: Bool { self.bytes.isEmpty }
}
