/// The connection preface, sent first by each side: names the protocol and its
/// version so that a wrong peer (an HTTP client, a TLS hello) is refused at once.
public enum Preface {
    public static let bytes: [UInt8] = Array("MODELGATE/1\r\n\r\n".utf8)
}

/// The type byte of a frame header (`modelgate.v1.FrameType`).
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let headers = FrameType(rawValue: 1)
    public static let message = FrameType(rawValue: 2)
    public static let trailers = FrameType(rawValue: 3)
    public static let cancel = FrameType(rawValue: 4)
    public static let windowUpdate = FrameType(rawValue: 5)
    public static let ping = FrameType(rawValue: 6)
    public static let goAway = FrameType(rawValue: 7)
    public static let settings = FrameType(rawValue: 8)

    /// Whether this build knows the type; an unknown type is a protocol error.
    public var isKnown: Bool { (1...8).contains(self.rawValue) }

    /// Whether the frame belongs to stream 0 rather than to a call.
    public var isConnectionLevel: Bool { self == .ping || self == .goAway || self == .settings }

    public var description: String {
        switch self {
        case .headers: "HEADERS"
        case .message: "MESSAGE"
        case .trailers: "TRAILERS"
        case .cancel: "CANCEL"
        case .windowUpdate: "WINDOW_UPDATE"
        case .ping: "PING"
        case .goAway: "GO_AWAY"
        case .settings: "SETTINGS"
        default: "UNKNOWN(\(self.rawValue))"
        }
    }
}

/// The flag bits of a frame header (`modelgate.v1.FrameFlag`).
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// On a client's HEADERS or MESSAGE: the request side is complete.
    public static let endStream = FrameFlags(rawValue: 1)
    /// On PING: this frame answers a ping.
    public static let ack = FrameFlags(rawValue: 1)
}

/// The fixed 10-byte header in front of every frame's payload.
public struct FrameHeader: Hashable, Sendable {
    /// Bytes on the wire: length (4), type (1), flags (1), stream id (4).
    public static let size = 10

    /// The payload's length in bytes, not counting this header.
    public var length: UInt32
    public var type: FrameType
    public var flags: FrameFlags
    public var streamID: UInt32

    public init(length: UInt32, type: FrameType, flags: FrameFlags = [], streamID: UInt32) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }

    /// Parses a header from its ten bytes and checks it before any payload is
    /// read or allocated: the length against `maxPayload` (so 0xFFFFFFFF is
    /// refused with nothing buffered), the type against the known ones, and the
    /// stream id against the frame type.
    ///
    /// - Throws: ``WireError`` with code `.invalidFrame` and a message naming the
    ///   limit and the value.
    public static func parse(_ bytes: some Collection<UInt8>, maxPayload: UInt32) throws(WireError) -> FrameHeader {
        guard bytes.count >= Self.size else {
            throw WireError(.truncated, "frame header needs \(Self.size) bytes, got \(bytes.count)")
        }
        var iterator = bytes.makeIterator()
        func next() -> UInt32 { UInt32(iterator.next() ?? 0) }
        let length = next() << 24 | next() << 16 | next() << 8 | next()
        let type = FrameType(rawValue: UInt8(next()))
        let flags = FrameFlags(rawValue: UInt8(next()))
        let streamID = next() << 24 | next() << 16 | next() << 8 | next()
        let header = FrameHeader(length: length, type: type, flags: flags, streamID: streamID)
        try header.validate(maxPayload: maxPayload)
        return header
    }

    /// Checks the header's fields against the protocol's rules and `maxPayload`.
    public func validate(maxPayload: UInt32) throws(WireError) {
        guard self.length <= maxPayload else {
            throw WireError(.invalidFrame, "frame payload of \(self.length) bytes exceeds the limit of \(maxPayload) bytes")
        }
        guard self.type.isKnown else {
            throw WireError(.invalidFrame, "unknown frame type \(self.type.rawValue)")
        }
        if self.type.isConnectionLevel {
            guard self.streamID == 0 else {
                throw WireError(.invalidFrame, "\(self.type) frame on stream \(self.streamID); it belongs to stream 0")
            }
        } else if self.type != .windowUpdate {
            guard self.streamID != 0 else {
                throw WireError(.invalidFrame, "\(self.type) frame on stream 0")
            }
        }
        if self.type == .windowUpdate && self.length != 4 {
            throw WireError(.invalidFrame, "WINDOW_UPDATE payload must be 4 bytes, got \(self.length)")
        }
        if self.type == .ping && self.length != 8 {
            throw WireError(.invalidFrame, "PING payload must be 8 bytes, got \(self.length)")
        }
    }

    /// Appends the header's ten bytes to `bytes`.
    public func write(to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: self.length >> UInt32(shift))) }
        bytes.append(self.type.rawValue)
        bytes.append(self.flags.rawValue)
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: self.streamID >> UInt32(shift))) }
    }
}
