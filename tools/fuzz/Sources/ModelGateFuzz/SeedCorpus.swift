#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ModelGateAPI
import ModelGateWire

/// The seed inputs: valid frame headers, one encoding of every message type
/// with every field set, and client conversations (calls of each kind, flow
/// control, pings, cancellation, GO_AWAY, a stream over the limit). Made by the
/// real encoders from ``ModelGateSchema``, so they follow the schema as it grows.
enum SeedCorpus {
    /// Writes every seed to `directory` (which must exist); returns how many.
    static func write(to directory: String) -> Int {
        let seeds = Self.all()
        for (index, seed) in seeds.enumerated() {
            let path = "\(directory)/seed-\(index)"
            guard let file = fopen(path, "wb") else {
                fatalError("cannot write \(path)")
            }
            _ = seed.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
        }
        return seeds.count
    }

    static func all() -> [[UInt8]] {
        Self.headerSeeds() + Self.messageSeeds() + Self.pipelineSeeds()
    }

    // MARK: Frame headers (selector 0)

    static func headerSeeds() -> [[UInt8]] {
        (1...8).map { type -> [UInt8] in
            let frameType = FrameType(rawValue: UInt8(type))
            let length: UInt32 = frameType == .ping ? 8 : frameType == .windowUpdate ? 4 : 12
            let streamID: UInt32 = frameType.isConnectionLevel ? 0 : 1
            var bytes: [UInt8] = [0]
            FrameHeader(length: length, type: frameType, streamID: streamID).write(to: &bytes)
            return bytes
        }
    }

    // MARK: Messages (selector 1)

    static func messageSeeds() -> [[UInt8]] {
        let types = ModelGateSchema.messages
        var seeds: [[UInt8]] = []
        for (index, type) in types.enumerated() where index < 256 {
            seeds.append([1, UInt8(index)])
            let encoding = MessageSynthesizer.encodingWithEveryField(type)
            if !Self.decodes(type, encoding) {
                print("warning: the synthesised \(type.protoName) does not decode; the seed is kept anyway")
            }
            seeds.append([1, UInt8(index)] + encoding)
        }
        return seeds
    }

    static func decodes<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) -> Bool {
        (try? M(decoding: bytes)) != nil
    }

    // MARK: Client conversations (selectors 2 and 3)

    static func pipelineSeeds() -> [[UInt8]] {
        var request = ScoreRequest()
        request.requestID = "r-1"
        request.body = Array(repeating: 0x61, count: 64)
        let message = request.encoded()

        var clientSettings = Settings()
        clientSettings.maxFrameSize = 16 * 1024
        clientSettings.initialStreamWindow = 1024
        let settings = frame(.settings, streamID: 0, clientSettings.encoded())

        var unary = Conversation()
        unary.append(settings)
        unary.append(frame(.headers, streamID: 1, Self.callHeaders(FuzzMethods.unary)))
        unary.append(frame(.message, flags: .endStream, streamID: 1, message))

        var bidirectional = Conversation()
        bidirectional.append(frame(.headers, streamID: 1, Self.callHeaders(FuzzMethods.bidirectional, timeoutMicros: 2_000_000)))
        for _ in 0..<3 { bidirectional.append(frame(.message, streamID: 1, message)) }
        bidirectional.append(frame(.windowUpdate, streamID: 1, [0, 0, 4, 0]))
        bidirectional.append(frame(.windowUpdate, streamID: 0, [0, 1, 0, 0]))
        bidirectional.append(frame(.ping, streamID: 0, [1, 2, 3, 4, 5, 6, 7, 8]))
        bidirectional.append(frame(.message, flags: .endStream, streamID: 1, message))

        var streaming = Conversation()
        streaming.append(frame(.headers, flags: .endStream, streamID: 1, Self.callHeaders(FuzzMethods.serverStreaming)))
        streaming.append(frame(.headers, streamID: 3, Self.callHeaders(FuzzMethods.clientStreaming)))
        streaming.append(frame(.message, streamID: 3, message))
        streaming.append(frame(.trailers, streamID: 3, []))
        streaming.append(frame(.headers, streamID: 5, Self.callHeaders(FuzzMethods.bidirectional)))
        streaming.append(frame(.cancel, streamID: 5, []))
        var goAway = GoAway()
        goAway.lastStreamID = 5
        goAway.message = "bye"
        streaming.append(frame(.goAway, streamID: 0, goAway.encoded()))

        var misbehaving = Conversation()
        misbehaving.append(frame(.headers, streamID: 1, Self.callHeaders("/modelgate.v1.Nope/Nothing")))
        for stream in stride(from: UInt32(3), through: 13, by: 2) {
            misbehaving.append(frame(.headers, streamID: stream, Self.callHeaders(FuzzMethods.bidirectional)))
        }
        misbehaving.append(frame(.message, streamID: 3, Array(repeating: 0x62, count: 600)))
        misbehaving.append(frame(.headers, streamID: 2, Self.callHeaders(FuzzMethods.unary)))

        var seeds: [[UInt8]] = []
        for conversation in [unary, bidirectional, streaming, misbehaving] {
            // After the preface the target adds, in one read and split into small reads.
            seeds.append([2] + conversation.bytes)
            seeds.append([2 | (3 << 2)] + conversation.bytes)
            // Raw: the preface is part of the input.
            seeds.append([3] + Preface.bytes + conversation.bytes)
        }
        return seeds
    }

    static func callHeaders(_ method: String, timeoutMicros: UInt64 = 0) -> [UInt8] {
        var headers = CallHeaders()
        headers.method = method
        headers.metadata = ["authorization": "Bearer k", "x-trace": "1"]
        headers.requestID = "req-1"
        headers.timeoutMicros = timeoutMicros
        return headers.encoded()
    }

    static func frame(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        FrameHeader(length: UInt32(payload.count), type: type, flags: flags, streamID: streamID).write(to: &bytes)
        return bytes + payload
    }

    struct Conversation {
        var bytes: [UInt8] = []
        mutating func append(_ frame: [UInt8]) { self.bytes += frame }
    }
}
