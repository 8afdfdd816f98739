import ModelGateAPI
import ModelGateWire
import NIOCore
import NIOEmbedded

/// Reassembles what the server wrote and checks it: the preface, then frames
/// whose headers validate against the limit the server announced and whose
/// protobuf payloads (SETTINGS, TRAILERS, GO_AWAY) decode. Checking the
/// server's own output turns a silent protocol bug into a finding.
struct ServerOutputChecker {
    let maxPayload: UInt32
    private var pending: [UInt8] = []
    private var prefaceSeen = false

    init(maxPayload: UInt32) {
        self.maxPayload = maxPayload
    }

    mutating func drain(_ channel: EmbeddedChannel) {
        while let buffer = try? channel.readOutbound(as: ByteBuffer.self) {
            self.pending.append(contentsOf: buffer.readableBytesView)
        }
        self.check()
    }

    /// Called at the end: a frame cut in half would be a server bug.
    func finish() {
        guard self.pending.isEmpty else {
            fatalError("server output ends inside a frame: \(self.pending.count) bytes left over: \(self.pending.prefix(64))")
        }
    }

    private mutating func check() {
        if !self.prefaceSeen {
            guard self.pending.count >= Preface.bytes.count else { return }
            guard Array(self.pending.prefix(Preface.bytes.count)) == Preface.bytes else {
                fatalError("server output does not start with the preface: \(self.pending.prefix(32))")
            }
            self.pending.removeFirst(Preface.bytes.count)
            self.prefaceSeen = true
        }
        var offset = 0
        while self.pending.count - offset >= FrameHeader.size {
            let header: FrameHeader
            do {
                header = try FrameHeader.parse(self.pending[offset..<offset + FrameHeader.size], maxPayload: self.maxPayload)
            } catch {
                fatalError("server wrote an invalid frame header: \(error)")
            }
            let end = offset + FrameHeader.size + Int(header.length)
            guard end <= self.pending.count else { break }
            let payload = Array(self.pending[(offset + FrameHeader.size)..<end])
            Self.checkPayload(header, payload)
            offset = end
        }
        self.pending.removeFirst(offset)
    }

    private static func checkPayload(_ header: FrameHeader, _ payload: [UInt8]) {
        do {
            switch header.type {
            case .settings: _ = try Settings(decoding: payload)
            case .trailers: _ = try Trailers(decoding: payload)
            case .goAway: _ = try GoAway(decoding: payload)
            default: break
            }
        } catch {
            fatalError("server wrote a \(header.type) frame whose payload does not decode: \(error)")
        }
    }
}
