import ModelGateWire
import NIOCore

/// One decoded frame: its validated header and its payload.
///
/// The payload is a slice of the read buffer; it is copied out only when it is
/// handed to async code.
struct Frame {
    var header: FrameHeader
    var payload: ByteBuffer
}
