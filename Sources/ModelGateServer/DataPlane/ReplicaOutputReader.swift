internal import ModelGateAPI
internal import NIOCore

/// Reads one of a replica's output pipes on an event loop and appends its
/// lines to the service's ``ServiceLogBuffer``.
///
/// It never blocks: the buffer's append only takes a short lock, so a replica
/// that prints fast cannot stall on a full pipe because a log reader is slow.
/// A line longer than ``maxLineBytes`` is split; a last line without a newline
/// is kept when the pipe closes.
final class ReplicaOutputReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// Longest line kept as one; longer output is cut into pieces of this size.
    static let maxLineBytes = 16 * 1024

    private let replicaID: String
    private let version: String
    private let source: LogSource
    private let logs: ServiceLogBuffer
    private var partial: [UInt8] = []

    init(replicaID: String, version: String, source: LogSource, logs: ServiceLogBuffer) {
        self.replicaID = replicaID
        self.version = version
        self.source = source
        self.logs = logs
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { bytes in
            var start = bytes.startIndex
            while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                self.partial.append(contentsOf: bytes[start..<newline])
                self.emitPartial()
                start = newline + 1
            }
            self.partial.append(contentsOf: bytes[start...])
            while self.partial.count >= Self.maxLineBytes {
                let piece = Array(self.partial.prefix(Self.maxLineBytes))
                self.partial.removeFirst(Self.maxLineBytes)
                self.emit(piece)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !self.partial.isEmpty { self.emitPartial() }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The pipe reached its end: the replica closed its output (it exited).
        if case ChannelEvent.inputClosed = event {
            if !self.partial.isEmpty { self.emitPartial() }
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func emitPartial() {
        var line = self.partial
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        self.partial.removeAll(keepingCapacity: true)
        self.emit(line)
    }

    private func emit(_ bytes: [UInt8]) {
        self.logs.append(
            replicaID: self.replicaID, version: self.version, source: self.source, text: String(decoding: bytes, as: UTF8.self)
        )
    }
}
