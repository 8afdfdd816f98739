/// The JSON meta of a RESULT frame (`PROTOCOL.md`, "SCORE and RESULT payloads"),
/// read by a small hand-written parser.
///
/// Every request's answer passes through here, so it must be cheap: Foundation's
/// `JSONDecoder` cost more per RESULT than the rest of the replica round trip's
/// server-side work (it builds a `Data`, a tree of `Any` and a decoder per call).
/// This reads the bytes once, keeps only the five known keys and skips any other
/// value, whatever its type, so a newer harness may add keys.
struct ReplicaResultMeta {
    var status: Int
    var headers: [String: String]?
    var error: String?
    var runMilliseconds: Double?
    var timedOut: Bool?

    /// Parses `bytes`, a UTF-8 JSON object.
    ///
    /// - Throws: ``ReplicaProtocolError`` when the bytes are not one JSON
    ///   object, `status` is missing or not an integer, or a known key has
    ///   the wrong type.
    init(parsing bytes: UnsafeRawBufferPointer) throws(ReplicaProtocolError) {
        var reader = Reader(bytes: bytes)
        var status: Int?
        var headers: [String: String]?
        var error: String?
        var runMilliseconds: Double?
        var timedOut: Bool?
        try reader.expect(UInt8(ascii: "{"))
        if try !reader.consume(UInt8(ascii: "}")) {
            repeat {
                let key = try reader.string()
                try reader.expect(UInt8(ascii: ":"))
                switch key {
                case "status":
                    guard let value = try reader.number(), let integer = Int(exactly: value) else {
                        throw ReplicaProtocolError("RESULT meta status is not an integer")
                    }
                    status = integer
                case "headers":
                    headers = try reader.nullable { reader throws(ReplicaProtocolError) in try reader.stringObject() }
                case "error":
                    error = try reader.nullable { reader throws(ReplicaProtocolError) in try reader.string() }
                case "run_ms":
                    runMilliseconds = try reader.number()
                case "timed_out":
                    timedOut = try reader.nullable { reader throws(ReplicaProtocolError) in try reader.bool() }
                default:
                    try reader.skipValue(depth: 0)
                }
            } while try reader.consume(UInt8(ascii: ","))
            try reader.expect(UInt8(ascii: "}"))
        }
        try reader.expectEnd()
        guard let status else { throw ReplicaProtocolError("RESULT meta has no status") }
        self.status = status
        self.headers = headers
        self.error = error
        self.runMilliseconds = runMilliseconds
        self.timedOut = timedOut
    }

    /// A cursor over the meta's bytes.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        /// Deeper nesting in a skipped value is refused rather than recursed into.
        static let maximumDepth = 64

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        mutating func skipWhitespace() {
            while self.index < self.bytes.count {
                switch self.bytes[self.index] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): self.index += 1
                default: return
                }
            }
        }

        mutating func peek() throws(ReplicaProtocolError) -> UInt8 {
            self.skipWhitespace()
            guard self.index < self.bytes.count else { throw ReplicaProtocolError("RESULT meta ends too early") }
            return self.bytes[self.index]
        }

        mutating func consume(_ byte: UInt8) throws(ReplicaProtocolError) -> Bool {
            guard try self.peek() == byte else { return false }
            self.index += 1
            return true
        }

        mutating func expect(_ byte: UInt8) throws(ReplicaProtocolError) {
            guard try self.consume(byte) else {
                throw ReplicaProtocolError("RESULT meta is not valid JSON: expected '\(Character(Unicode.Scalar(byte)))' at byte \(self.index)")
            }
        }

        mutating func expectEnd() throws(ReplicaProtocolError) {
            self.skipWhitespace()
            guard self.index == self.bytes.count else { throw ReplicaProtocolError("RESULT meta has bytes after its object") }
        }

        mutating func literal(_ text: StaticString) throws(ReplicaProtocolError) {
            let count = text.utf8CodeUnitCount
            guard self.index + count <= self.bytes.count else { throw ReplicaProtocolError("RESULT meta ends too early") }
            for offset in 0..<count where self.bytes[self.index + offset] != text.utf8Start[offset] {
                throw ReplicaProtocolError("RESULT meta is not valid JSON at byte \(self.index)")
            }
            self.index += count
        }

        /// `null` as nil, anything else through `read`.
        mutating func nullable<T>(
            _ read: (inout Reader) throws(ReplicaProtocolError) -> T
        ) throws(ReplicaProtocolError) -> T? {
            if try self.peek() == UInt8(ascii: "n") {
                try self.literal("null")
                return nil
            }
            return try read(&self)
        }

        mutating func bool() throws(ReplicaProtocolError) -> Bool {
            switch try self.peek() {
            case UInt8(ascii: "t"):
                try self.literal("true")
                return true
            case UInt8(ascii: "f"):
                try self.literal("false")
                return false
            default:
                throw ReplicaProtocolError("RESULT meta has a non-boolean where a boolean belongs")
            }
        }

        /// A JSON number, or nil for `null`.
        mutating func number() throws(ReplicaProtocolError) -> Double? {
            if try self.peek() == UInt8(ascii: "n") {
                try self.literal("null")
                return nil
            }
            let start = self.index
            while self.index < self.bytes.count, Self.isNumberByte(self.bytes[self.index]) { self.index += 1 }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
            guard !text.isEmpty, let value = Double(text), value.isFinite else {
                throw ReplicaProtocolError("RESULT meta has a malformed number at byte \(start)")
            }
            return value
        }

        private static func isNumberByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                return true
            default:
                return false
            }
        }

        /// A JSON string, unescaped.
        mutating func string() throws(ReplicaProtocolError) -> String {
            try self.expect(UInt8(ascii: "\""))
            let start = self.index
            // The common case: no escapes, one copy.
            while self.index < self.bytes.count {
                let byte = self.bytes[self.index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
                    self.index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw ReplicaProtocolError("RESULT meta has a control character in a string") }
                self.index += 1
            }
            var utf8 = Array(UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.index]))
            while self.index < self.bytes.count {
                let byte = self.bytes[self.index]
                self.index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard self.index < self.bytes.count else { break }
                    let escaped = self.bytes[self.index]
                    self.index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try self.hex4()
                        if (0xD800..<0xDC00).contains(scalar), self.index + 1 < self.bytes.count,
                           self.bytes[self.index] == UInt8(ascii: "\\"), self.bytes[self.index + 1] == UInt8(ascii: "u") {
                            let mark = self.index
                            self.index += 2
                            let low = try self.hex4()
                            if (0xDC00..<0xE000).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                self.index = mark
                            }
                        }
                        // A lone surrogate becomes U+FFFD, as Python's decoder would refuse to send one anyway.
                        utf8.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                    default:
                        throw ReplicaProtocolError("RESULT meta has a bad escape in a string")
                    }
                default:
                    if byte < 0x20 { throw ReplicaProtocolError("RESULT meta has a control character in a string") }
                    utf8.append(byte)
                }
            }
            throw ReplicaProtocolError("RESULT meta ends inside a string")
        }

        private mutating func hex4() throws(ReplicaProtocolError) -> UInt32 {
            guard self.index + 4 <= self.bytes.count else { throw ReplicaProtocolError("RESULT meta ends inside an escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = self.bytes[self.index]
                self.index += 1
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw ReplicaProtocolError("RESULT meta has a bad \\u escape")
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        /// A JSON object whose values are all strings.
        mutating func stringObject() throws(ReplicaProtocolError) -> [String: String] {
            var result: [String: String] = [:]
            try self.expect(UInt8(ascii: "{"))
            if try self.consume(UInt8(ascii: "}")) { return result }
            repeat {
                let key = try self.string()
                try self.expect(UInt8(ascii: ":"))
                guard try self.peek() == UInt8(ascii: "\"") else {
                    throw ReplicaProtocolError("RESULT meta header '\(key)' is not a string")
                }
                result[key] = try self.string()
            } while try self.consume(UInt8(ascii: ","))
            try self.expect(UInt8(ascii: "}"))
            return result
        }

        /// Skips one value of any type.
        mutating func skipValue(depth: Int) throws(ReplicaProtocolError) {
            guard depth < Self.maximumDepth else { throw ReplicaProtocolError("RESULT meta nests too deeply") }
            switch try self.peek() {
            case UInt8(ascii: "\""):
                _ = try self.string()
            case UInt8(ascii: "{"):
                self.index += 1
                if try self.consume(UInt8(ascii: "}")) { return }
                repeat {
                    _ = try self.string()
                    try self.expect(UInt8(ascii: ":"))
                    try self.skipValue(depth: depth + 1)
                } while try self.consume(UInt8(ascii: ","))
                try self.expect(UInt8(ascii: "}"))
            case UInt8(ascii: "["):
                self.index += 1
                if try self.consume(UInt8(ascii: "]")) { return }
                repeat {
                    try self.skipValue(depth: depth + 1)
                } while try self.consume(UInt8(ascii: ","))
                try self.expect(UInt8(ascii: "]"))
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                _ = try self.bool()
            case UInt8(ascii: "n"):
                try self.literal("null")
            default:
                _ = try self.number()
            }
        }
    }
}
