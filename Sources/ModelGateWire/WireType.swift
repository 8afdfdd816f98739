/// The wire type in the low three bits of a protobuf field key.
public enum WireType: UInt8, Sendable, Hashable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    /// Groups are proto2-only and deprecated; the decoder refuses them.
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}
